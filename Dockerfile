# Herald as a container: `docker compose up` (see docker-compose.yml and the README).
FROM swift:6.1-noble AS build
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product herald --static-swift-stdlib \
 && mkdir -p /out \
 && cp "$(swift build -c release --show-bin-path)/herald" /out/ \
 && cp -R "$(swift build -c release --show-bin-path)/Herald_Storage.resources" /out/

FROM ubuntu:24.04
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl libcurl4 libxml2 tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/herald --create-home herald
# The migrations travel in the resource bundle next to the binary.
COPY --from=build /out/ /usr/local/bin/
USER herald
WORKDIR /var/lib/herald
EXPOSE 8080
ENTRYPOINT ["herald"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080", "--no-worker"]
