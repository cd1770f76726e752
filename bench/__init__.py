"""`make bench`: how the cost of preview/up/refresh/destroy grows with the number of personas.

Every figure is measured next to two floors taken in the same run: the engine floor
(the same operations on trivial dynamic resources whose provider does no I/O) and the
network floor (the same API requests sent directly with httpx, 4 at a time). See
`bench.runner` for the sequence and `bench.report` for the targets.
"""
