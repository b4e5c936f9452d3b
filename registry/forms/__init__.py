"""Forms of the clinician pages; they validate input, services do the writing."""
