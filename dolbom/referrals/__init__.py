"""Partner institutions, the service catalogue and closed-loop referrals."""
