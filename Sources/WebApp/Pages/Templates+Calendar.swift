extension Templates {
    /// The templates of the schedule editor and the calendar, registered by ``PageRenderer``.
    static let calendarPages: [(String, String)] = [("schedule", schedule), ("calendar", calendar)]

    /// The schedule editor: errors named by field (a summary first, then under each input), the typed values kept.
    static let schedule = """
        <p class="crumbs"><a href="/app">Campaigns</a> › <a href="/app/campaigns/{{slug}}">{{name}}</a></p>
        <h1>Schedule of {{name}}</h1>
        {{#saved}}<p class="notice" role="status">Saved. The next fires are below.</p>{{/saved}}
        {{#hasErrors}}
        <div class="card problems" role="alert" aria-labelledby="errors-title">
        <h2 id="errors-title">The schedule was not saved</h2>
        <ul>{{#errors}}<li>{{.}}</li>{{/errors}}</ul>
        </div>
        {{/hasErrors}}
        <div class="split">
        <form method="post" action="/app/campaigns/{{slug}}/schedule" class="editor">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="cron">Cron rule</label>
        <p class="hint" id="cron-hint">Five fields: minute hour day-of-month month day-of-week, e.g. <code>0 9 * * MON-FRI</code>, or a macro such as <code>@daily</code>.</p>
        {{#cronError}}<p class="problem" id="cron-error">{{cronError}}</p>{{/cronError}}
        <input id="cron" name="cron" type="text" required value="{{cron}}" aria-describedby="cron-hint{{#cronError}} cron-error{{/cronError}}"{{#cronError}} aria-invalid="true"{{/cronError}} spellcheck="false" autocomplete="off">
        <label for="tz">Time zone</label>
        <p class="hint" id="tz-hint">An IANA name, e.g. <code>Europe/Berlin</code> or <code>America/New_York</code>; the rule is read in it.</p>
        {{#tzError}}<p class="problem" id="tz-error">{{tzError}}</p>{{/tzError}}
        <input id="tz" name="tz" type="text" required value="{{tz}}" aria-describedby="tz-hint{{#tzError}} tz-error{{/tzError}}"{{#tzError}} aria-invalid="true"{{/tzError}} spellcheck="false" autocomplete="off">
        <fieldset>
        <legend>Active window (local time in that zone; both optional)</legend>
        <label for="from">Active from</label>
        {{#fromError}}<p class="problem" id="from-error">{{fromError}}</p>{{/fromError}}
        <input id="from" name="from" type="datetime-local" value="{{from}}"{{#fromError}} aria-describedby="from-error" aria-invalid="true"{{/fromError}}>
        <label for="until">Active until</label>
        {{#untilError}}<p class="problem" id="until-error">{{untilError}}</p>{{/untilError}}
        <input id="until" name="until" type="datetime-local" value="{{until}}"{{#untilError}} aria-describedby="until-error" aria-invalid="true"{{/untilError}}>
        </fieldset>
        <div class="actions">
        <button type="submit" name="intent" value="preview" class="secondary">Preview the fires</button>
        <button type="submit" name="intent" value="save">Save schedule</button>
        </div>
        </form>
        <section aria-labelledby="fires-title">
        <h2 id="fires-title">The next five fires, in {{zone}}</h2>
        {{#previewOnly}}<p class="notice" role="status">A preview: nothing is saved until you press Save schedule.</p>{{/previewOnly}}
        {{#hasFires}}
        <ol class="fires">
        {{#fires}}<li><time datetime="{{iso}}">{{local}}</time>{{#note}}<p class="dst"><strong>Daylight saving:</strong> {{note}}</p>{{/note}}</li>{{/fires}}
        </ol>
        {{/hasFires}}
        {{^hasFires}}<p>No fire to show{{#hasErrors}} until the rule is valid{{/hasErrors}}.</p>{{/hasFires}}
        </section>
        </div>
        """

    /// The calendar: week or month, a table of days (a list on a phone), previous/next, today marked.
    static let calendar = """
        <h1>Calendar</h1>
        <p class="meta">{{rangeLabel}} · times in {{zone}} · {{scheduledCount}} scheduled, {{sentCount}} sent{{#truncated}} (the first {{limit}} shown){{/truncated}}</p>
        <nav class="calendar-nav" aria-label="Calendar">
        <ul>
        <li><a href="/app/calendar?view={{view}}&amp;date={{previous}}" rel="prev">← Previous {{view}}</a></li>
        <li><a href="/app/calendar?view={{view}}&amp;date={{today}}">Today</a></li>
        <li><a href="/app/calendar?view={{view}}&amp;date={{next}}" rel="next">Next {{view}} →</a></li>
        <li>{{#isWeek}}<a href="/app/calendar?view=month&amp;date={{date}}">Month view</a>{{/isWeek}}{{^isWeek}}<a href="/app/calendar?view=week&amp;date={{date}}">Week view</a>{{/isWeek}}</li>
        </ul>
        </nav>
        <form method="get" action="/app/calendar" class="inline">
        <input type="hidden" name="view" value="{{view}}">
        <input type="hidden" name="date" value="{{date}}">
        <label for="tz">Your time zone</label>
        <input id="tz" name="tz" type="text" value="{{zone}}" spellcheck="false" autocomplete="off" aria-describedby="tz-hint">
        <button type="submit">Show in this zone</button>
        <p class="hint" id="tz-hint">An IANA name such as Europe/Berlin; remembered in this browser.</p>
        {{#zoneProblem}}<p class="problem" role="alert">{{zoneProblem}}</p>{{/zoneProblem}}
        </form>
        <div class="calendar-grid">
        <table class="calendar calendar-{{view}}">
        <caption>{{rangeLabel}}: scheduled and sent posts by day, in {{zone}}</caption>
        <thead><tr>{{#weekdays}}<th scope="col">{{.}}</th>{{/weekdays}}</tr></thead>
        <tbody>
        {{#weeks}}
        <tr>
        {{#days}}
        <td class="{{#outside}}outside{{/outside}}{{#isToday}} today{{/isToday}}"{{#isToday}} aria-current="date"{{/isToday}}>
        <h2 class="day"><time datetime="{{iso}}">{{label}}</time>{{#isToday}} <span class="today-mark">today</span>{{/isToday}}</h2>
        {{#hasItems}}
        <ul class="posts">
        {{#items}}<li class="post post-{{kind}}"><time datetime="{{iso}}">{{time}}</time> <span class="state state-{{state}}">{{state}}</span> <a href="/app/campaigns/{{slug}}">{{campaign}}</a> · {{channel}}{{#account}} · {{account}}{{/account}}</li>{{/items}}
        </ul>
        {{/hasItems}}
        {{#more}}<p class="meta">and {{more}} more</p>{{/more}}
        </td>
        {{/days}}
        </tr>
        {{/weeks}}
        </tbody>
        </table>
        </div>
        """
}
