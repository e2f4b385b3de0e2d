/// The inline stylesheet of Herald's HTML pages: system fonts, a layout that folds to one column
/// on a phone, tabular figures, and print rules that keep charts whole and colours on paper.
enum ReportStylesheet {
    static let css = """
        :root{--ink:#1b1f24;--muted:#5b6470;--line:#d9dee5;--panel:#f5f7fa;--winner:#009E73;--leading:#E69F00;--alert:#D55E00}
        *{box-sizing:border-box}
        html{-webkit-text-size-adjust:100%}
        body{margin:0;color:var(--ink);background:#fff;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
        main{max-width:1120px;margin:0 auto;padding:28px 24px 48px}
        h1{font-size:1.75rem;line-height:1.2;margin:0 0 6px;overflow-wrap:anywhere}
        h2{font-size:1.2rem;margin:32px 0 12px;padding-bottom:4px;border-bottom:1px solid var(--line)}
        h3{font-size:1rem;margin:0 0 2px}
        code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
        .eyebrow{margin:0;color:var(--muted);text-transform:uppercase;letter-spacing:.08em;font-size:.75rem;font-weight:600}
        .meta{margin:0;color:var(--muted);font-size:.9rem}
        .note{margin:12px 0 0;padding:8px 12px;background:#fff8e6;border:1px solid #f1d38a;border-radius:6px;font-size:.9rem}
        .verdict{margin:22px 0 0;padding:18px 22px;background:var(--panel);border-left:8px solid var(--muted);border-radius:8px}
        .verdict.winner{border-left-color:var(--winner)}
        .verdict.leading{border-left-color:var(--leading)}
        .verdict.check_split{border-left-color:var(--alert);background:#fdf0ea}
        .verdict-label{margin:0;text-transform:uppercase;letter-spacing:.08em;font-size:.75rem;font-weight:700;color:var(--muted)}
        .headline{margin:4px 0 6px;font-size:1.45rem;line-height:1.3;font-weight:700;overflow-wrap:anywhere}
        .reason{margin:0 0 14px;color:#2f3640;overflow-wrap:anywhere}
        .kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}
        .kpi{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 12px}
        .kpi-value{font-size:1.5rem;font-weight:700;font-variant-numeric:tabular-nums}
        .kpi-label{color:var(--muted);font-size:.82rem;overflow-wrap:anywhere}
        .recommendations{margin:0;padding:0;list-style:none;display:grid;gap:10px}
        .recommendations li{border:1px solid var(--line);border-radius:6px;padding:10px 14px}
        .recommendations p{margin:0;overflow-wrap:anywhere}
        .action{display:flex;flex-wrap:wrap;gap:8px;align-items:baseline;margin-bottom:4px!important}
        .tag{display:inline-block;padding:1px 8px;border-radius:999px;background:#e8edf3;font-size:.8rem;font-weight:700}
        .action-declare_winner .tag{background:#d4f0e6}
        .action-stop_arm .tag,.action-investigate_srm .tag{background:#fbe0d3}
        .confidence{color:var(--muted);font-size:.85rem;margin-left:auto}
        .table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}
        table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:.95rem}
        th,td{padding:8px 10px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap;vertical-align:top}
        thead th{font-size:.8rem;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line)}
        th:first-child,td:first-child{text-align:left}
        tbody th{font-weight:600}
        tr.leader{background:#f3faf7}
        .sub,.interval{display:block;font-size:.78rem;color:var(--muted);font-weight:400}
        .muted{color:var(--muted)}
        .badge{display:inline-block;font-size:.7rem;font-weight:600;color:var(--muted);border:1px solid var(--line);border-radius:4px;padding:0 4px}
        .key-swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:baseline}
        .pbest{display:inline-block;width:48px;height:8px;background:#e8edf3;border-radius:4px;margin-right:6px;vertical-align:middle;overflow:hidden}
        .pbest .bar{display:block;height:100%}
        .hint{color:var(--muted);font-size:.85rem}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,440px),1fr));gap:18px}
        figure.chart{margin:0;padding:14px 16px;border:1px solid var(--line);border-radius:8px;break-inside:avoid;page-break-inside:avoid;min-width:0}
        figcaption p{margin:0 0 6px;color:var(--muted);font-size:.85rem}
        .legend{list-style:none;margin:0 0 6px;padding:0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:.85rem}
        .legend li{display:flex;align-items:center;gap:6px;overflow-wrap:anywhere}
        .legend .dot{display:inline-block;width:10px;height:10px;border-radius:50%}
        .swatch{width:28px;height:12px;flex:none}
        .chart-svg{display:block;width:100%;height:auto;font-size:11px;fill:#39414b}
        .chart-svg text{font-family:inherit}
        .chart-svg .grid{stroke:#e6e9ee;stroke-width:1}
        .chart-svg .domain,.chart-svg .tick{stroke:#8a939e;stroke-width:1}
        .chart-svg .axis-title{fill:var(--muted);font-size:10.5px}
        .chart-svg .line{fill:none;stroke-width:2.2;stroke-linejoin:round;stroke-linecap:round}
        .chart-svg .band{opacity:.16;stroke:none}
        .chart-svg .area{opacity:.18;stroke:none}
        .chart-svg .stack{stroke:#fff;stroke-width:.5}
        .chart-svg .reference{stroke:#8a939e;stroke-dasharray:4 3;stroke-width:1}
        .chart-svg .reference-label{fill:var(--muted);font-size:10px}
        .chart-svg .end-label,.chart-svg .peak-label{font-weight:700;font-size:12px}
        .chart-svg .peak-label{fill:var(--ink)}
        .chart-svg .bar-label{fill:#fff;font-weight:700}
        .chart-svg .no-data{fill:#eef0f3}
        .chart-svg .best{fill:none;stroke:#000;stroke-width:2}
        .chart-svg .best-label{fill:#000;font-weight:700;font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px}
        .empty{margin:24px 0;padding:18px;text-align:center;color:var(--muted);background:var(--panel);border-radius:6px;font-size:.9rem}
        .texts{list-style:none;margin:0;padding:0;display:grid;gap:10px}
        .texts blockquote{margin:4px 0 0;padding:8px 12px;background:var(--panel);border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere}
        .scroll{max-height:420px;overflow:auto}
        .method ul{padding-left:20px;color:#2f3640;font-size:.92rem}
        footer{margin-top:36px;padding-top:12px;border-top:1px solid var(--line);color:var(--muted);font-size:.8rem}
        .campaigns td,.campaigns th{white-space:normal}
        .campaigns a{color:#0061a0;font-weight:600}
        .status{display:inline-block;padding:1px 8px;border-radius:999px;font-size:.78rem;font-weight:700;background:#e8edf3;white-space:nowrap}
        .status.winner{background:#d4f0e6}.status.leading{background:#fdf0d5}.status.check_split{background:#fbe0d3}
        @media (max-width:640px){
          body{font-size:15px}
          main{padding:18px 14px 36px}
          h1{font-size:1.4rem}
          .headline{font-size:1.2rem}
          .verdict{padding:14px 16px}
          .kpis{grid-template-columns:1fr 1fr}
          .kpi-value{font-size:1.25rem}
          figure.chart{padding:10px}
          .chart-svg{font-size:14px}
          .chart-svg .axis-title{font-size:12.5px}
          .chart-svg .axis.y .axis-title{display:none}
          .chart-svg .end-label,.chart-svg .peak-label{font-size:14px}
          .confidence{margin-left:0}
          th,td{padding:6px 8px}
        }
        @media print{
          @page{margin:14mm}
          *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
          body{font-size:10.5pt}
          main{max-width:none;padding:0}
          h2{break-after:avoid;page-break-after:avoid}
          .charts{grid-template-columns:1fr 1fr}
          .verdict,.recommendations li,tr{break-inside:avoid;page-break-inside:avoid}
          .scroll{max-height:none;overflow:visible}
          .table-wrap{overflow:visible}
          a{color:inherit;text-decoration:none}
        }
        """
}
