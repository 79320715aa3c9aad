"""Interface strings of the review UI, in Russian and Kazakh."""

from ..data import strings

UI = strings("ui")

# Column headers and definitions of the KPI page (the CSV/XLSX/JSON keep the English keys).
KPI_COLUMNS = strings("kpi")["columns"]
KPI_DEFINITIONS = strings("kpi")["page_definitions"]
KPI_EMPTY = strings("kpi")["empty"]
