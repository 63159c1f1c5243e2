#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""alert_claims.py ALERTS.json [MIN_UNREADABLE] - no alert of the process
and socket sources claims what its event does not hold.

For each JSON alert (one a line, as --scan prints them) of source process
or socket, the message after "<rule name>: " (the source's describe()):

- every path it names is a value of the event (exe, argv0, exe_candidate,
  cmdline): no location the agent did not see;
- a user name it gives is the event's user, and none when user is unset;
- a process event without exe (exe_readable false) is said to be one
  ("exe path not readable") and is not shown with a path in place of exe;
  its rule's name and description make no claim of location;
- a socket event without an owning pid says "unknown process" and names
  no program;
- rules matched by events lacking the fact do not claim it ("outside its
  install location", "some other program", "opened by that tool").

Prints one line per violation and exits 1; exits 2 when fewer than
MIN_UNREADABLE (default 1) alerts came from events without exe, so the
check cannot pass vacuously.
"""
import json
import re
import sys

LOCATION_CLAIMS = ("outside its install location", "does not run from", "not where the package")
OWNER_CLAIMS = ("some other program", "opened by that tool")
PATH = re.compile(r"(?<![\w.\]])(/[^\s,();]+)")


def check(a, bad):
    src = a["farmhound"]["source"]
    f = a["farmhound"]["fields"]
    rule = a["rule"]
    msg = a["message"]
    name = rule.get("name", rule["id"])
    what = msg[len(name) + 2:] if msg.startswith(name + ": ") else msg
    claims = (name + " " + rule.get("description", "")).lower()
    say = lambda why: bad.append("%s: %s: %s" % (rule["id"], why, msg))

    values = [f.get(k) for k in ("exe", "argv0", "exe_candidate", "cmdline") if f.get(k)]
    for p in PATH.findall(what):
        if not any(p in v for v in values):
            say("names path %s that no field holds" % p)
    m = re.search(r"\buser (\S+?)[,)]", what)
    if m and f.get("user") != m.group(1):
        say("names user %s, event has %r" % (m.group(1), f.get("user")))
    if "user" not in f and re.search(r"\buser ", what):
        say("names a user the event does not hold")
    if src == "process" and f.get("exe_readable") is False:
        if "exe path not readable" not in what:
            say("exe unreadable but not said")
        if re.search(r"\(pid \d+, /", what):
            say("a path shown in place of the exe")
        for c in LOCATION_CLAIMS:
            if c in claims:
                say("rule claims '%s' without an exe" % c)
    if src == "socket" and "pid" not in f:
        if "unknown process" not in what or "(pid " in what:
            say("owner unknown but a program is named")
        for c in OWNER_CLAIMS:
            if c in claims:
                say("rule claims '%s' without an owner" % c)


def main():
    bad, unreadable = [], 0
    need = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    with open(sys.argv[1], encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.strip():
                continue
            a = json.loads(line)
            if a["farmhound"]["source"] not in ("process", "socket"):
                continue
            f = a["farmhound"]["fields"]
            unreadable += f.get("exe_readable") is False
            check(a, bad)
    for b in bad:
        print("# claim:", b)
    if bad:
        return 1
    if unreadable < need:
        print("# only %d alerts from events without exe (need %d)" % (unreadable, need))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
