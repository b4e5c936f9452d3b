"""Security plumbing: two-factor policy, session limits, headers, logging, trail, faults."""
