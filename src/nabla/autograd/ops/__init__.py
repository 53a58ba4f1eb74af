"""The primitive ops, one module per family; composites are built from them."""
