/// The templates of the review queue, the campaign page's variants, publications, autopilot and report sections
/// (partials of ``Templates/campaign``), and the form that creates a campaign. Same escaping rule as ``Templates``:
/// every value is `{{name}}`, escaped.
extension Templates {
    /// The templates this file adds, by name (partials are included as `{{> name}}`).
    static var reviewTemplates: [(String, String)] {
        [
            ("review", review), ("variant-card", variantCard), ("campaign-variants", campaignVariants),
            ("campaign-publications", campaignPublications), ("campaign-autopilot", campaignAutopilot), ("campaign-new", campaignNew),
            ("campaign-field", campaignField),
        ]
    }

    static let review = """
        <h1>Review</h1>
        {{#decides}}<p>The variants waiting for your decision{{#twoPeople}}: this workspace needs {{approvalsRequired}} approvals by different people, and nobody approves what they wrote{{/twoPeople}}.</p>{{/decides}}
        {{^decides}}<p>You are {{role}}: you can read what waits for review; only an approver or an admin approves or rejects.</p>{{/decides}}
        {{#hasCards}}<div class="cards">{{#cards}}{{> variant-card}}{{/cards}}</div>{{/hasCards}}
        {{^hasCards}}<p>Nothing is waiting{{#decides}} for you{{/decides}}.</p>{{/hasCards}}
        """

    /// One variant: a ``VariantCard``.
    static let variantCard = """
        <article class="variant" aria-labelledby="v-{{id}}">
        <h3 id="v-{{id}}">Variant {{key}}{{#showCampaign}} · <a href="/app/campaigns/{{campaignSlug}}">{{campaignName}}</a>{{/showCampaign}}</h3>
        <p class="meta"><span class="state state-{{state}}">{{state}}</span> · approvals {{approvals}} · channels {{channels}}</p>
        {{#subject}}<p class="meta">Subject: {{subject}}</p>{{/subject}}
        <p class="text">{{text}}</p>
        <dl class="facts">
        <dt>Generator</dt><dd class="generator">{{generator}}</dd>
        {{#model}}<dt>Model</dt><dd>{{model}}</dd>{{/model}}
        <dt>Written by</dt><dd class="author">{{author}}</dd>
        {{#prompt}}<dt>Prompt (the brief)</dt><dd><pre class="prompt">{{prompt}}</pre></dd>{{/prompt}}
        {{#features}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/features}}
        </dl>
        {{#hasDecisions}}<ul class="decisions">{{#decisions}}<li>{{verb}} by {{who}}, <time datetime="{{iso}}">{{when}}</time>{{#hasComment}}: “{{comment}}”{{/hasComment}}</li>{{/decisions}}</ul>{{/hasDecisions}}
        {{#canDecide}}
        <form class="decide" method="post" action="/app/variants/{{id}}/decision">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="from" value="{{from}}">
        <label for="comment-{{id}}">Comment on {{key}} (a rejection needs one)</label>
        <textarea id="comment-{{id}}" name="comment" rows="2"{{#problem}} aria-invalid="true" aria-describedby="problem-{{id}}"{{/problem}}>{{comment}}</textarea>
        {{#problem}}<p class="problem" id="problem-{{id}}" role="alert">{{problem}}</p>{{/problem}}
        <div class="actions"><button type="submit" name="decision" value="approve">Approve {{key}}</button> <button type="submit" name="decision" value="reject" class="secondary">Reject {{key}}</button></div>
        </form>
        {{/canDecide}}
        </article>
        """

    static let campaignVariants = """
        <section aria-labelledby="variants-title">
        <h2 id="variants-title">Variants</h2>
        {{#hasCards}}<div class="cards">{{#cards}}{{> variant-card}}{{/cards}}</div>{{/hasCards}}
        {{^hasCards}}<p>No variant yet{{#generating}}: the variants generated from the brief appear here, pending review, once a worker has run the job{{/generating}}.</p>{{/hasCards}}
        </section>
        """

    static let campaignPublications = """
        <section aria-labelledby="publications-title">
        <h2 id="publications-title">Publications</h2>
        {{#publicationProblem}}<p class="problem" id="publication-problem" role="alert">{{publicationProblem}}</p>{{/publicationProblem}}
        {{#hasPublications}}
        <div class="scroll">
        <table>
        <caption>Newest first</caption>
        <thead><tr><th scope="col">Scheduled</th><th scope="col">Variant</th><th scope="col">Channel</th><th scope="col">State</th><th scope="col">Platform error</th><th scope="col"><span class="vh">Action</span></th></tr></thead>
        <tbody>
        {{#publications}}
        <tr><td><time datetime="{{iso}}">{{scheduled}}</time></td><td>{{variant}}</td><td>{{channel}}</td><td><span class="state state-{{state}}">{{state}}</span></td><td class="error">{{error}}</td><td>{{#canRetry}}<form method="post" action="/app/publications/{{id}}/retry"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="retry" aria-label="Retry the {{channel}} publication of variant {{variant}}">Retry</button></form>{{/canRetry}}</td></tr>
        {{/publications}}
        </tbody>
        </table>
        </div>
        {{/hasPublications}}
        {{^publications}}<p>No publications yet.</p>{{/publications}}
        </section>
        """

    static let campaignAutopilot = """
        <section aria-labelledby="autopilot-title">
        <h2 id="autopilot-title">Autopilot</h2>
        <p>Mode: <span class="state">{{autopilotMode}}</span></p>
        {{#autopilotProblem}}<p class="problem" role="alert">{{autopilotProblem}}</p>{{/autopilotProblem}}
        {{#hasAutopilotActions}}
        <ul class="autopilot">
        {{#autopilotActions}}
        <li><p><strong>{{kind}}</strong> <span class="state">{{state}}</span> · planned <time datetime="{{iso}}">{{when}}</time></p>
        <p>{{reason}}</p>
        {{#decided}}<p class="meta">{{decided}}</p>{{/decided}}
        {{#canAct}}<div class="actions">
        {{#pending}}<form method="post" action="/app/autopilot/{{id}}/apply"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Apply</button></form>
        <form method="post" action="/app/autopilot/{{id}}/dismiss"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="secondary">Dismiss</button></form>{{/pending}}
        {{#applied}}<form method="post" action="/app/autopilot/{{id}}/undo"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="secondary">Undo</button></form>{{/applied}}
        </div>{{/canAct}}
        </li>
        {{/autopilotActions}}
        </ul>
        {{/hasAutopilotActions}}
        {{^hasAutopilotActions}}<p>No autopilot action waits for a decision or can be undone.</p>{{/hasAutopilotActions}}
        </section>
        <section aria-labelledby="report-title">
        <h2 id="report-title">Report</h2>
        {{#report}}<p><a href="/app/campaigns/{{slug}}/report">The latest report</a>, from <time datetime="{{iso}}">{{when}}</time>.</p>{{/report}}
        {{^report}}<p>No report yet: one is written with the campaign's first analysis.</p>{{/report}}
        </section>
        """

    /// Create a campaign: from its variants' texts, or from a brief (the `generate_variants` job writes the variants).
    static let campaignNew = """
        <p class="crumbs"><a href="/app">Campaigns</a></p>
        <h1>New campaign</h1>
        {{#hasProblems}}
        <div class="problems" role="alert" aria-labelledby="problems-title">
        <h2 id="problems-title">The campaign was not created</h2>
        <ul>{{#problems}}<li><a href="#{{field}}">{{label}}</a>: {{message}}</li>{{/problems}}</ul>
        </div>
        {{/hasProblems}}
        <form method="post" action="/app/campaigns/new" class="create" novalidate>
        <input type="hidden" name="csrf" value="{{csrf}}">
        <fieldset>
        <legend>The campaign</legend>
        {{#fields}}{{#top}}{{> campaign-field}}{{/top}}{{/fields}}
        <fieldset class="choices"{{#channelsProblem}} aria-describedby="channels-problem"{{/channelsProblem}}>
        <legend id="channels">Channels</legend>
        {{#channels}}<label class="choice"><input type="checkbox" name="channels[]" value="{{name}}"{{#checked}} checked{{/checked}}> {{name}}</label>{{/channels}}
        {{#channelsProblem}}<p class="problem" id="channels-problem">{{channelsProblem}}</p>{{/channelsProblem}}
        </fieldset>
        <label class="choice"><input type="checkbox" name="dry_run" value="true"{{#dryRun}} checked{{/dryRun}}> Dry run: nothing it publishes leaves Herald</label>
        </fieldset>
        <fieldset>
        <legend>Its variants</legend>
        <p class="meta">Either write the variants, or fill in the brief and Herald generates them (they wait for review).</p>
        <div class="choices">
        <label class="choice"><input type="radio" name="source" value="texts"{{^fromBrief}} checked{{/fromBrief}}> Written here</label>
        <label class="choice"><input type="radio" name="source" value="brief"{{#fromBrief}} checked{{/fromBrief}}> Generated from a brief</label>
        </div>
        {{#fields}}{{#texts}}{{> campaign-field}}{{/texts}}{{/fields}}
        </fieldset>
        <fieldset>
        <legend>The brief (when generated)</legend>
        {{#fields}}{{#brief}}{{> campaign-field}}{{/brief}}{{/fields}}
        </fieldset>
        <button type="submit">Create the campaign</button>
        </form>
        """

    /// One labelled field of ``campaignNew``: a ``CampaignCreatePages/Field``.
    static let campaignField = """
        <label for="{{name}}">{{label}}</label>
        {{#hint}}<p class="meta" id="{{name}}-hint">{{hint}}</p>{{/hint}}
        {{#multiline}}<textarea id="{{name}}" name="{{name}}" rows="5"{{#problem}} aria-invalid="true"{{/problem}}{{#describedBy}} aria-describedby="{{describedBy}}"{{/describedBy}}>{{value}}</textarea>{{/multiline}}
        {{^multiline}}<input id="{{name}}" name="{{name}}" type="text" value="{{value}}"{{#problem}} aria-invalid="true"{{/problem}}{{#describedBy}} aria-describedby="{{describedBy}}"{{/describedBy}}>{{/multiline}}
        {{#problem}}<p class="problem" id="{{name}}-problem">{{problem}}</p>{{/problem}}
        """
}
