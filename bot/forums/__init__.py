"""Dialogue forums, one module per concern; import from the module that owns the thing:

- `rules`: the fields staff give, their limits, and the named problems (`Problem`);
- `notices`: the outbox kinds of what is sent about a forum, and who is told;
- `lifecycle`: create, add a language, publish, give a new time, cancel;
- `rsvp`: answers, capacity and the waitlist;
- `reminders`: when reminders are due, and turning due ones into outbox rows;
- `export`: the answers as CSV for staff;
- `staff_flow`: the guided flows' steps (declared once) and how an answer is read;
- `imports`: forums from a TOML file or a calendar feed, created or updated by UID.

Everything sent to many people is written to the outbox in the same transaction as the
change that causes it; the delivery worker sends it. Times are aware datetimes (stored in
UTC, shown and entered in the municipality's time zone).
"""
