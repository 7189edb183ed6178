"""CPU ticks of a process by thread role (the name without its number): `threads.py PID`, one line each."""
import collections
import os
import re
import sys

pid = sys.argv[1]
tot = collections.Counter()
for t in os.listdir(f"/proc/{pid}/task"):
    try: s = open(f"/proc/{pid}/task/{t}/stat").read()
    except OSError: continue
    name = s[s.index("(")+1:s.rindex(")")]
    f = s[s.rindex(")")+2:].split()
    # retina-people-0 and -1 are one role; ingest-cam-12 and libav's decoder threads likewise.
    name = re.sub(r"[-_]?\d+$", "", name)
    tot[name] += int(f[11]) + int(f[12])
for k, v in tot.items(): print(f"{k}\t{v}")
