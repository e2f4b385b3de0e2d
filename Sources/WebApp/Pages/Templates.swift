/// The back office's Mustache templates. `{{name}}` escapes HTML (`<`, `>`, `&`, `"`, `'`); the one triple-brace
/// `{{{content}}}` in ``layout`` takes a page already rendered by these templates, never a stored or posted string.
enum Templates {
    /// Every page: landmarks (header, nav, main), the stylesheet, and the signed-in person with sign-out.
    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Herald</title>
        <link rel="stylesheet" href="/app/static/app.css">
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="bar">
        <a class="brand" href="/app">Herald</a>
        {{#person}}
        <nav aria-label="Main">
        <ul>
        <li><a href="/app"{{#atCampaigns}} aria-current="page"{{/atCampaigns}}>Campaigns</a></li>
        <li><a href="/app/review"{{#atReview}} aria-current="page"{{/atReview}}>Review{{#hasWaiting}} <span class="count">{{waiting}}<span class="vh"> waiting for you</span></span>{{/hasWaiting}}</a></li>
        <li><a href="/app/calendar"{{#atCalendar}} aria-current="page"{{/atCalendar}}>Calendar</a></li>
        <li><a href="/app/accounts"{{#atAccounts}} aria-current="page"{{/atAccounts}}>Accounts</a></li>
        <li><a href="/app/contacts"{{#atContacts}} aria-current="page"{{/atContacts}}>Contacts</a></li>
        <li><a href="/app/audit"{{#atAudit}} aria-current="page"{{/atAudit}}>Audit</a></li>
        </ul>
        </nav>
        <form class="signout" method="post" action="/app/logout">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <span class="who">{{email}} · {{role}} · {{workspace}}</span>
        <button type="submit">Sign out</button>
        </form>
        {{/person}}
        </header>
        <main id="main">
        {{{content}}}
        </main>
        </body>
        </html>
        """

    static let login = """
        <section class="card narrow" aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in</h1>
        {{#message}}<p class="problem" role="alert">{{message}}</p>{{/message}}
        <form method="post" action="/app/login">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required value="{{email}}">
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit">Sign in</button>
        </form>
        </section>
        """

    static let invitation = """
        <section class="card narrow" aria-labelledby="invite-title">
        <h1 id="invite-title">Set your password</h1>
        <p>For <strong>{{email}}</strong>, {{role}} of the workspace.</p>
        {{#message}}<p class="problem" role="alert">{{message}}</p>{{/message}}
        <form method="post" action="/app/invite/{{token}}">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="password">New password (at least {{minimumLength}} characters)</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength="{{minimumLength}}">
        <label for="confirm">The same password again</label>
        <input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="{{minimumLength}}">
        <button type="submit">Set password and sign in</button>
        </form>
        </section>
        """

    static let campaigns = """
        <h1>Campaigns</h1>
        {{#hasCampaigns}}
        <div class="scroll">
        <table>
        <caption>The workspace's campaigns, newest first</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Channels</th><th scope="col">Variants</th></tr></thead>
        <tbody>
        {{#campaigns}}
        <tr><td><a href="/app/campaigns/{{slug}}">{{name}}</a></td><td><span class="state">{{status}}</span></td><td>{{channels}}</td><td class="number">{{variants}}</td></tr>
        {{/campaigns}}
        </tbody>
        </table>
        </div>
        {{/hasCampaigns}}
        {{#canCreate}}<p><a class="button" href="/app/campaigns/new">New campaign</a></p>{{/canCreate}}
        {{^campaigns}}<p>No campaigns yet. Create one with <code>herald campaigns create FILE</code>.</p>{{/campaigns}}
        """

    static let campaign = """
        <p class="crumbs"><a href="/app">Campaigns</a></p>
        <h1>{{name}}</h1>
        <p>Status <span class="state">{{status}}</span>{{#dryRun}} · <strong>dry run</strong>: nothing it publishes leaves Herald{{/dryRun}} · channels {{channels}}{{#plan}} · {{plan}}{{/plan}}</p>
        {{#canChange}}
        <div class="actions">
        {{#actions}}
        <form method="post" action="/app/campaigns/{{slug}}/{{action}}">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">{{label}}</button>
        </form>
        {{/actions}}
        </div>
        {{/canChange}}
        {{> campaign-variants}}
        <section aria-labelledby="schedule-title">
        <h2 id="schedule-title">Schedule</h2>
        <p><a href="/app/campaigns/{{slug}}/schedule">Edit the schedule and preview its fires</a> (editors)</p>
        {{#schedule}}
        <p><code>{{rule}}</code> in {{timeZone}}</p>
        {{#hasFires}}
        <p>The next five fires, in {{timeZone}}:</p>
        <ol class="fires">{{#fires}}<li><time datetime="{{iso}}">{{local}}</time></li>{{/fires}}</ol>
        {{/hasFires}}
        {{^fires}}<p>No fire is left.</p>{{/fires}}
        {{#problem}}<p class="problem">{{problem}}</p>{{/problem}}
        {{/schedule}}
        {{^schedule}}<p>No schedule: it publishes only when asked (<code>herald campaigns publish</code>).</p>{{/schedule}}
        </section>
        {{> campaign-publications}}
        {{> campaign-autopilot}}
        """

    static let problem = """
        <section class="card narrow" aria-labelledby="problem-title">
        <h1 id="problem-title">{{title}}</h1>
        <p>{{message}}</p>
        <p><a href="/app">Back to the campaigns</a></p>
        </section>
        """
}
