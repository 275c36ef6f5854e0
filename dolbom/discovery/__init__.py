"""Crisis discovery: indicator import, scoring, ranked visit lists, outcomes, retraining."""
