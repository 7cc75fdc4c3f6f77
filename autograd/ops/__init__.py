"""Primitive ops, one file per family; each op's VJP sits right under its forward."""
