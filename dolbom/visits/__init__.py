"""Home visits: planned work items, daily routes, the VRPTW solver."""
