"""Reports: monthly dispatch (月度调度), quarterly bulletin (季度通报), half-month and any
period, and the 擂台赛 ranking — on the terminal, as JSON and as an Excel workbook.

* :mod:`.figures` — the one definition of every figure (and the rows behind it);
* :mod:`.metrics` — their names, units and definitions in words;
* :mod:`.periods` — reporting periods, the period before, the year to date;
* :mod:`.config` — ``checklists/_ranking.yaml``: stages, contact types, ranking weights;
* :mod:`.goals` — annual targets of units and chains;
* :mod:`.ranking` — scoring and ranking;
* :mod:`.report` — assembling a report;
* :mod:`.dashboard` (rich) and :mod:`.workbook` (xlsxwriter) — drawing it.

Nothing here is imported by ordinary commands; heavy libraries only inside functions.
"""
