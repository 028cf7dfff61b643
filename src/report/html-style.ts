// The HTML report's stylesheet, inlined (hashed into the Content-Security-Policy). System fonts
// only: the report makes no request.

export const HTML_STYLE = `
:root{--bg:#f4f6f9;--card:#fff;--text:#1b2230;--muted:#5d6778;--faint:#8a93a3;--border:#e1e5ec;--row:#f8f9fb;--hover:#eef3fd;--accent:#2456c9;
--critical:#b3132b;--high:#dd4d18;--medium:#c98a00;--low:#3a82c4;--informational:#8a93a3;--none:#b0b7c3;
--critical-bg:#fde8eb;--high-bg:#fdeee6;--medium-bg:#fdf5dc;--low-bg:#e7f1fa;--informational-bg:#eef0f3;--none-bg:#eef0f3;
--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace}
@media (prefers-color-scheme:dark){:root{--bg:#11151c;--card:#1a2029;--text:#e3e7ee;--muted:#a3acbb;--faint:#7b8494;--border:#2b3340;--row:#1e2530;--hover:#23304a;--accent:#7aa2ff;
--critical-bg:#3d1419;--high-bg:#3b2016;--medium-bg:#3a3014;--low-bg:#16293b;--informational-bg:#252b35;--none-bg:#252b35}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","Noto Sans","Liberation Sans",Arial,sans-serif}
.wrap{max-width:1320px;margin:0 auto;padding:0 24px}
header.top{background:#16213a;color:#f2f5fb;padding:18px 0 16px;border-bottom:3px solid var(--critical)}
header.top h1{margin:0;font-size:20px;font-weight:650;letter-spacing:.2px}
header.top .meta{margin-top:4px;color:#b9c3d6;font-size:13px}
main.wrap{padding-top:20px;padding-bottom:48px}
h2{font-size:15px;font-weight:650;margin:0 0 12px;color:var(--text)}
h3{font-size:12px;font-weight:650;text-transform:uppercase;letter-spacing:.6px;color:var(--muted);margin:0 0 8px}
.panel{background:var(--card);border:1px solid var(--border);border-radius:10px;padding:16px 18px;margin-bottom:16px;box-shadow:0 1px 2px rgba(16,24,40,.04)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(124px,1fr));gap:10px;margin-bottom:16px}
.card{background:var(--card);border:1px solid var(--border);border-left:4px solid var(--border);border-radius:10px;padding:10px 14px}
.card .n{font-size:24px;font-weight:700;line-height:1.2;font-variant-numeric:tabular-nums}
.card .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.5px}
.card .s{color:var(--faint);font-size:12px}
.card.lv-critical{border-left-color:var(--critical)}.card.lv-high{border-left-color:var(--high)}.card.lv-medium{border-left-color:var(--medium)}
.card.lv-low{border-left-color:var(--low)}.card.lv-informational{border-left-color:var(--informational)}
.card.zero .n{color:var(--faint)}
.cols{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:16px}
.cols{margin-bottom:16px}
.cols>.panel{margin-bottom:0}
@media (max-width:900px){.cols{grid-template-columns:1fr}}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.4px;white-space:nowrap;border:1px solid transparent}
.badge.lv-critical{background:var(--critical);color:#fff}.badge.lv-high{background:var(--high);color:#fff}.badge.lv-medium{background:var(--medium);color:#fff}
.badge.lv-low{background:var(--low);color:#fff}.badge.lv-informational,.badge.lv-none{background:var(--informational);color:#fff}
.tag{display:inline-block;padding:0 7px;border-radius:4px;font-size:11px;font-weight:600;background:var(--informational-bg);color:var(--muted);margin-left:6px;vertical-align:1px;white-space:nowrap}
.tag.incident{background:#e9e3fb;color:#5533b8}.tag.correlation{background:#e0f2ef;color:#1f7a68}
@media (prefers-color-scheme:dark){.tag.incident{background:#2d2550;color:#c7b8ff}.tag.correlation{background:#17332e;color:#8fd9c7}}
.chips{display:flex;flex-wrap:wrap;gap:8px}
.chip{display:inline-flex;align-items:center;gap:8px;border:1px solid var(--border);border-radius:8px;padding:6px 10px;background:var(--row);cursor:pointer;font:inherit;color:inherit;text-align:left}
.chip:hover{background:var(--hover)}
.chip .id{font-family:var(--mono);font-weight:700;font-size:13px}
.chip .nm{color:var(--muted);font-size:13px}
.chip .ct{background:var(--card);border:1px solid var(--border);border-radius:999px;padding:0 7px;font-size:12px;font-variant-numeric:tabular-nums}
.filters{display:flex;flex-wrap:wrap;align-items:center;gap:8px;margin-bottom:12px}
.filters .grow{flex:1 1 220px}
.lvbtn{border:1px solid var(--border);background:var(--card);color:var(--muted);border-radius:999px;padding:3px 10px;font:inherit;font-size:12px;font-weight:600;cursor:pointer;display:inline-flex;align-items:center;gap:6px}
.lvbtn .dot{width:9px;height:9px;border-radius:50%;display:inline-block;background:var(--none)}
.lvbtn[aria-pressed=true]{color:var(--text);border-color:var(--faint);background:var(--row)}
.lvbtn[aria-pressed=false]{opacity:.5;text-decoration:line-through}
.dot.lv-critical{background:var(--critical)}.dot.lv-high{background:var(--high)}.dot.lv-medium{background:var(--medium)}.dot.lv-low{background:var(--low)}.dot.lv-informational{background:var(--informational)}
select,input[type=search]{font:inherit;font-size:13px;color:var(--text);background:var(--card);border:1px solid var(--border);border-radius:6px;padding:5px 8px;max-width:280px}
input[type=search]{width:100%;max-width:none}
button.plain{font:inherit;font-size:13px;border:1px solid var(--border);background:var(--card);color:var(--text);border-radius:6px;padding:5px 10px;cursor:pointer}
.count{color:var(--muted);font-size:13px;white-space:nowrap}
table{border-collapse:collapse;width:100%}
table.findings{table-layout:fixed}
table.findings>thead>tr>th{overflow:hidden;text-overflow:ellipsis;text-align:left;font-size:12px;font-weight:650;color:var(--muted);text-transform:uppercase;letter-spacing:.4px;padding:8px 10px;border-bottom:2px solid var(--border);white-space:nowrap}
table.findings>tbody>tr>td{padding:9px 10px;border-bottom:1px solid var(--border);vertical-align:top;overflow:hidden}
table.findings tr.row{cursor:pointer}
table.findings tr.row:hover td{background:var(--hover)}
table.findings tr.row.open td{background:var(--hover);border-bottom-color:transparent}
table.findings tr.row td:first-child{border-left:3px solid transparent}
tr.row.lv-critical td:first-child{border-left-color:var(--critical)}tr.row.lv-high td:first-child{border-left-color:var(--high)}tr.row.lv-medium td:first-child{border-left-color:var(--medium)}
tr.row.lv-low td:first-child{border-left-color:var(--low)}tr.row.lv-informational td:first-child{border-left-color:var(--informational)}
th.h-level{width:104px}th.h-time{width:158px}th.h-host{width:150px}th.h-rule{width:27%}th.h-ev{width:78px}
/* Narrow screens: host and event count collapse to zero width (hiding cells would leave their columns behind, which the detail row spans). */
@media (max-width:900px){table.findings th.h-host,table.findings th.h-ev,table.findings td.host,table.findings td.num{width:0;padding:0;font-size:0;border-left:0;border-right:0}th.h-rule{width:36%}th.h-time{width:100px}table.findings td.time{white-space:normal}}
td.time,td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
td.num{text-align:right}
td.time span{white-space:nowrap}
td.host{white-space:nowrap;text-overflow:ellipsis}
.what{font-family:var(--mono);font-size:12.5px;color:var(--muted);overflow:hidden;word-break:break-all;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;line-clamp:2}
.rule-title{font-weight:600}
.empty{color:var(--muted);padding:24px;text-align:center}
tr.detail>td{background:var(--row);padding:16px 18px 20px;border-bottom:2px solid var(--border)}
.dgrid{display:grid;grid-template-columns:minmax(0,1.25fr) minmax(0,1fr);gap:16px}
@media (max-width:1000px){.dgrid{grid-template-columns:1fr}}
.box{background:var(--card);border:1px solid var(--border);border-radius:8px;padding:12px 14px;margin-bottom:12px;min-width:0}
.tree{margin:0;padding:0;list-style:none}
.proc{position:relative;padding:6px 0 6px 0}
.proc.d1{margin-left:22px}.proc.d2{margin-left:44px}.proc.d3{margin-left:66px}.proc.d4{margin-left:88px}.proc.d5{margin-left:110px}.proc.d6{margin-left:132px}.proc.d7{margin-left:154px}
.proc .arrow{color:var(--faint);font-family:var(--mono);margin-right:4px}
.proc .pname{font-weight:700;font-family:var(--mono);font-size:13px}
.proc .pmeta{color:var(--muted);font-size:12px;margin-left:8px}
.il{display:inline-block;font-size:11px;font-weight:700;border-radius:4px;padding:0 6px;margin-left:8px;background:var(--informational-bg);color:var(--muted)}
.il.high,.il.system{background:var(--critical-bg);color:var(--critical)}
.role{display:inline-block;font-size:11px;font-weight:600;border-radius:4px;padding:0 6px;margin-left:8px;background:#e9e3fb;color:#5533b8}
@media (prefers-color-scheme:dark){.role{background:#2d2550;color:#c7b8ff}}
.cmd{font-family:var(--mono);font-size:12px;background:var(--row);border:1px solid var(--border);border-radius:6px;padding:4px 8px;margin-top:4px;white-space:pre-wrap;word-break:break-all}
.kv{width:100%;font-size:13px}
.kv th{text-align:left;font-weight:600;color:var(--muted);padding:3px 12px 3px 0;vertical-align:top;white-space:nowrap;width:1%}
.kv td{padding:3px 0;vertical-align:top;word-break:break-word}
.kv td.mono,.mono{font-family:var(--mono);font-size:12px;white-space:pre-wrap;word-break:break-all}
.factors td{padding:4px 8px 4px 0;vertical-align:top;font-size:13px}
.factors td.w{font-weight:700;font-variant-numeric:tabular-nums;color:var(--high);white-space:nowrap;text-align:right;width:1%}
.factors td.code{font-family:var(--mono);font-size:12px;color:var(--muted);white-space:nowrap;width:1%}
ul.list{margin:0;padding-left:18px}
ul.list li{margin:3px 0}
.clsid{font-family:var(--mono);font-size:12px;background:var(--medium-bg);border-radius:4px;padding:1px 6px}
.ev{background:var(--card);border:1px solid var(--border);border-radius:8px;margin-top:10px;overflow:hidden}
.ev>.evh{cursor:pointer;list-style:none;display:flex;flex-wrap:wrap;gap:6px 14px;align-items:baseline;padding:8px 12px;border-bottom:1px solid var(--border);background:var(--row);font-size:13px}
.ev>.evh::-webkit-details-marker{display:none}
.ev>.evh::before{content:'▸';color:var(--faint);width:10px}
.ev[open]>.evh::before{content:'▾'}
.ev:not([open])>.evh{border-bottom:0}
.ev>.evh .img{font-family:var(--mono);font-size:12px}
.ev>.evh .src{flex-basis:100%;padding-left:24px;font-family:var(--mono);font-size:12px;color:var(--muted);word-break:break-all}
.ev table.fields{font-size:12.5px}
.ev table.fields th{text-align:left;font-weight:600;color:var(--muted);padding:4px 12px;vertical-align:top;white-space:nowrap;width:1%;border-bottom:1px solid var(--border)}
.ev table.fields td{font-family:var(--mono);font-size:12px;padding:4px 12px 4px 0;vertical-align:top;white-space:pre-wrap;word-break:break-all;border-bottom:1px solid var(--border)}
.ev table.fields tr.key th{color:var(--text)}
.ev table.fields tr.key+tr:not(.key) th,.ev table.fields tr.key+tr:not(.key) td{border-top:2px solid var(--border)}
.ev table.fields tr:last-child th,.ev table.fields tr:last-child td{border-bottom:0}
.note{color:var(--muted);font-size:12px;margin-top:6px}
#timeline svg{display:block;width:100%;height:auto;overflow:visible}
#timeline .lane-label{font-size:12px;fill:var(--muted);font-weight:600;text-transform:uppercase}
#timeline .lane{fill:var(--row)}
#timeline .grid{stroke:var(--border);stroke-width:1}
#timeline .tick{font-size:11px;fill:var(--faint)}
#timeline .mark{cursor:pointer;stroke:var(--card);stroke-width:2}
#timeline .mark:hover{stroke:var(--text)}
#timeline .mark.inc{stroke-width:2}
#timeline .mark.inc.m-critical{stroke:var(--critical)}#timeline .mark.inc.m-high{stroke:var(--high)}#timeline .mark.inc.m-medium{stroke:var(--medium)}#timeline .mark.inc.m-low{stroke:var(--low)}
#timeline .cnt{font-size:10px;font-weight:700;fill:#fff;pointer-events:none}
.m-critical{fill:var(--critical)}.m-high{fill:var(--high)}.m-medium{fill:var(--medium)}.m-low{fill:var(--low)}.m-informational,.m-none{fill:var(--informational)}
details.more>summary{cursor:pointer;font-weight:650;font-size:14px;padding:2px 0}
details.more[open]>summary{margin-bottom:10px}
table.plain{font-size:13px}
table.plain th{text-align:left;color:var(--muted);font-weight:600;padding:5px 10px 5px 0;border-bottom:1px solid var(--border);white-space:nowrap}
table.plain td{padding:5px 10px 5px 0;border-bottom:1px solid var(--border);vertical-align:top;word-break:break-word}
table.plain td.num{text-align:right}
a{color:var(--accent)}
footer{color:var(--faint);font-size:12px;text-align:center;padding:8px 0 24px}
noscript p{background:var(--medium-bg);border-radius:8px;padding:12px 16px}
`;
