"""``zhishui calc``: the command-line face of the pure-Python ``zhishui.law`` calculators."""
