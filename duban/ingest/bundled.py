"""Where the sample plans and their gold annotations bundled with duban live (``duban/data``).

Read by ``duban score``, ``duban demo``, the synthetic province and the tests: one place, low in the
layers, so none of them imports the command line for a path.
"""

import os

SAMPLES_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "samples")
GOLD_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "gold")
