"""One router per resource: drafts, findings and recommendations, KPI, users and tokens, the HTML UI."""
