"""AI check-in calls to older people living alone: dialogue, memory, risk signals, alerts."""
