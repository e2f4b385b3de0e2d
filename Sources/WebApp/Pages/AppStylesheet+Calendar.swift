extension AppStylesheet {
    /// The rules of the schedule editor, the calendar and the directory pages (accounts, contacts, lists, audit),
    /// served after ``css``: on a phone (below 40rem) the calendar's table reads as a list of days.
    static let calendar = """
        input[type="datetime-local"], input[type="search"], select { padding: .55rem; font: inherit; color: var(--ink);
          background: var(--paper); border: 2px solid var(--muted); border-radius: .25rem; }
        input[aria-invalid="true"] { border-color: var(--problem); }
        fieldset { border: 1px solid var(--line); border-radius: .5rem; margin: 1.25rem 0 0; padding: 0 1rem 1rem; }
        legend { font-weight: 600; padding: 0 .25rem; }
        .hint { color: var(--muted); font-size: .9rem; margin: 0 0 .25rem; }
        .notice { border-left: 4px solid var(--accent); background: var(--soft); padding: .5rem .75rem; }
        .problems { border-color: var(--problem); margin-bottom: 1rem; }
        .problems h2 { margin-top: 0; color: var(--problem); }
        button.secondary { background: var(--paper); color: var(--accent); }
        .editor { max-width: 40rem; }
        .split { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 0 2.5rem; align-items: start; }
        .split > section > h2:first-child { margin-top: 1rem; }
        .fires li { margin: .25rem 0; }
        .dst { margin: .15rem 0 .5rem; padding: .25rem .5rem; border-left: 4px solid var(--focus); background: var(--soft); }
        .calendar-nav ul { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; list-style: none; padding: 0; margin: .5rem 0; }
        form.inline { display: flex; flex-wrap: wrap; align-items: flex-end; gap: .5rem 1rem; margin: .5rem 0 1rem; }
        form.inline label { margin: 0; flex-basis: 100%; }
        form.inline input[type="text"], form.inline input[type="search"] { width: auto; flex: 1 1 12rem; }
        form.inline .hint { flex-basis: 100%; }
        table.calendar { table-layout: fixed; }
        table.calendar td { height: 6rem; padding: .35rem; }
        table.calendar td.outside { background: var(--soft); color: var(--muted); }
        table.calendar td.today { box-shadow: inset 0 0 0 3px var(--accent); }
        .calendar h2.day { font-size: .9rem; margin: 0 0 .25rem; border: 0; padding: 0; }
        .today-mark { background: var(--accent); color: var(--accent-ink); border-radius: .25rem; padding: 0 .3rem; font-size: .8rem; }
        .posts { list-style: none; margin: 0; padding: 0; font-size: .85rem; }
        .posts li { margin: 0 0 .3rem; overflow-wrap: anywhere; }
        .post-fire { border-left: 3px dashed var(--accent); padding-left: .3rem; }
        .pager { display: flex; gap: 1rem; list-style: none; padding: 0; }
        .counts { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; list-style: none; padding: 0; }
        .bar nav ul { flex-wrap: wrap; gap: .25rem 1rem; }
        @media (max-width: 40rem) {
          table.calendar, table.calendar tbody, table.calendar tr, table.calendar td { display: block; width: 100%; }
          table.calendar thead { position: absolute; left: -999px; }
          table.calendar td { height: auto; border-bottom: 1px solid var(--line); }
          table.calendar td.outside { display: none; }
          table.calendar caption { display: block; }
          .split { grid-template-columns: 1fr; }
        }
        """
}
