"""The expertise record: database, workflow (drafts, findings, recommendations, adoption) and KPI."""
