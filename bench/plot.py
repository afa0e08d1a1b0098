"""Plot bench/results/compare.json (run with the peer's bench virtualenv, which has matplotlib)."""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def main(source: str, target: str) -> None:
    rows = sorted(json.load(open(source))["in_process"], key=lambda r: r["staff"] * r["days"])  # noqa: SIM115
    size = [r["staff"] * r["days"] for r in rows]
    figure, (times, queries) = plt.subplots(1, 2, figsize=(11, 4.2))
    for system, label, marker in (("chairtime", "Chairtime", "o"), ("peer", "django-appointment", "s")):
        times.plot(size, [r[system]["p50_ms"] for r in rows], marker=marker, label=label)
        queries.plot(size, [r[system]["queries"] for r in rows], marker=marker, label=label)
    for axis, title in ((times, "Whole availability grid, p50 (ms)"), (queries, "Queries per grid")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("staff x days")
        axis.set_title(title)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    figure.tight_layout()
    figure.savefig(target, dpi=110)


if __name__ == "__main__":
    main(*sys.argv[1:3])
