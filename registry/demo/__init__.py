"""The synthetic demo cohort behind `manage.py seed_demo`.

`cohort` draws the patients as plain plans (no database), `people` creates the
demo sites and logins, `loader` bulk-inserts the plans with their history rows
(`copying` streams them with COPY on PostgreSQL), and `seeding` ties them
together in one transaction.
"""

CHANGE_REASON = "Synthetic demo cohort (seed_demo)"
DEMO_PASSWORD = "cryoaudit-demo"
