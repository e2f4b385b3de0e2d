extension Templates {
    /// The templates of the channel accounts, contacts, lists and audit pages, registered by ``PageRenderer``.
    static let directoryPages: [(String, String)] = [("accounts", accounts), ("contacts", contacts), ("lists", lists), ("audit", audit)]

    static let accounts = """
        <h1>Channel accounts</h1>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{#hasAccounts}}
        <div class="scroll">
        <table>
        <caption>Connected accounts, their health and their last posts (times in UTC)</caption>
        <thead><tr><th scope="col">Account</th><th scope="col">Kind</th><th scope="col">Health</th><th scope="col">Last post out</th><th scope="col">Last failure</th><th scope="col">Token expires</th></tr></thead>
        <tbody>
        {{#accounts}}
        <tr><td>{{name}}{{#handle}}<br><span class="meta">{{handle}}</span>{{/handle}}</td><td>{{kind}}</td>
        <td><span class="state state-{{health}}">{{health}}</span>{{#reason}}<br><span class="meta">{{reason}}</span>{{/reason}}{{#rateLimitedUntil}}<br><span class="meta">until {{rateLimitedUntil}}</span>{{/rateLimitedUntil}}{{#reconnect}}<br>Reconnect: <code>{{reconnect}}</code>{{/reconnect}}{{#reconnectForm}}<form method="post" action="/app/accounts/connect" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="kind" value="{{kind}}"><input type="hidden" name="name" value="{{name}}"><button type="submit" aria-label="Reconnect {{name}}">Reconnect</button></form>{{/reconnectForm}}</td>
        <td>{{lastSuccess}}</td><td>{{lastFailure}}{{#lastError}}<br><span class="meta">{{lastError}}</span>{{/lastError}}</td><td>{{#tokenExpiry}}{{tokenExpiry}}{{/tokenExpiry}}{{^tokenExpiry}}—{{/tokenExpiry}}</td></tr>
        {{/accounts}}
        </tbody>
        </table>
        </div>
        {{/hasAccounts}}
        {{^hasAccounts}}<p>No account is connected yet.</p>{{/hasAccounts}}
        {{#isAdmin}}
        <section aria-labelledby="connect-title">
        <h2 id="connect-title">Connect an account</h2>
        {{#connect}}
        {{^missing}}
        <form method="post" action="/app/accounts/connect" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="kind" value="{{kind}}">
        <label for="connect-{{kind}}-name">{{label}} account name</label>
        <input id="connect-{{kind}}-name" name="name" required pattern="[a-z0-9-]{1,64}" autocomplete="off" aria-describedby="connect-name-help">
        <button type="submit">Connect {{label}}</button>
        </form>
        {{/missing}}
        {{#missing}}<p>Connect {{label}}: {{missing}}.</p>{{/missing}}
        {{/connect}}
        <p id="connect-name-help" class="meta">Lowercase letters, digits and hyphens, as campaign files name the account. You sign in on the platform and come back here; connecting a name the workspace has reconnects it.</p>
        <p>Other kinds: <code>herald channels connect KIND --name NAME</code>.</p>
        </section>
        {{/isAdmin}}
        """

    static let contacts = """
        <h1>Contacts</h1>
        <p class="crumbs"><a href="/app/lists">Lists</a></p>
        <section aria-labelledby="counts-title">
        <h2 id="counts-title">{{total}} contacts by consent</h2>
        <ul class="counts">{{#counts}}<li>{{label}}: <strong>{{count}}</strong></li>{{/counts}}</ul>
        </section>
        {{#mayReadPersonalData}}
        <form method="get" action="/app/contacts" class="inline" role="search">
        <label for="address">Search by address</label>
        <input id="address" name="address" type="search" value="{{address}}" autocomplete="off">
        <label for="consent">Consent</label>
        <select id="consent" name="consent">{{#consents}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/consents}}</select>
        <label for="list">List</label>
        <select id="list" name="list">{{#lists}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/lists}}</select>
        <button type="submit">Search</button>
        </form>
        {{#hasContacts}}
        <div class="scroll">
        <table>
        <caption>Contacts matching the search, 50 a page</caption>
        <thead><tr><th scope="col">Email</th><th scope="col">Phone</th><th scope="col">Name</th><th scope="col">Consent</th><th scope="col">Time zone</th></tr></thead>
        <tbody>
        {{#contacts}}<tr><td>{{email}}</td><td>{{phone}}</td><td>{{name}}</td><td><span class="state">{{consent}}</span></td><td>{{timeZone}}</td></tr>{{/contacts}}
        </tbody>
        </table>
        </div>
        {{/hasContacts}}
        {{^hasContacts}}<p>No contact matches.</p>{{/hasContacts}}
        {{#next}}<nav aria-label="Pages"><ul class="pager"><li><a href="/app/contacts">First page</a></li><li><a href="{{next}}" rel="next">Next page</a></li></ul></nav>{{/next}}
        {{/mayReadPersonalData}}
        {{^mayReadPersonalData}}<p>Addresses and names are shown to editors and above; you see the counts.</p>{{/mayReadPersonalData}}
        """

    static let lists = """
        <h1>Lists</h1>
        <p class="crumbs"><a href="/app/contacts">Contacts</a></p>
        {{#hasLists}}
        <div class="scroll">
        <table>
        <caption>The workspace's contact lists</caption>
        <thead><tr><th scope="col">List</th><th scope="col">Members</th></tr></thead>
        <tbody>
        {{#lists}}<tr><td>{{#mayReadPersonalData}}<a href="/app/contacts?list={{id}}">{{name}}</a>{{/mayReadPersonalData}}{{^mayReadPersonalData}}{{name}}{{/mayReadPersonalData}}</td><td class="number">{{members}}</td></tr>{{/lists}}
        </tbody>
        </table>
        </div>
        {{/hasLists}}
        {{^hasLists}}<p>No list yet. Import contacts with <code>herald contacts import FILE.csv --list NAME</code>.</p>{{/hasLists}}
        """

    static let audit = """
        <h1>Audit log</h1>
        {{#hasEntries}}
        <div class="scroll">
        <table>
        <caption>What was done in the workspace, newest first (times in UTC)</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Subject</th><th scope="col">Details</th></tr></thead>
        <tbody>
        {{#entries}}<tr><td><time datetime="{{iso}}">{{at}}</time></td><td>{{actor}}</td><td><code>{{action}}</code></td><td>{{subject}}</td><td class="text">{{details}}</td></tr>{{/entries}}
        </tbody>
        </table>
        </div>
        {{/hasEntries}}
        {{^hasEntries}}<p>Nothing recorded{{^isFirst}} before this{{/isFirst}}.</p>{{/hasEntries}}
        <nav aria-label="Pages"><ul class="pager">{{^isFirst}}<li><a href="/app/audit">Newest</a></li>{{/isFirst}}{{#next}}<li><a href="/app/audit?before={{next}}" rel="next">Older entries</a></li>{{/next}}</ul></nav>
        """
}
