"""Matplotlib for the benchmark charts: the Agg backend (files only, no display), imported when a chart is drawn."""

from types import ModuleType


def pyplot() -> ModuleType:
    """Return matplotlib.pyplot drawing to files (Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt

