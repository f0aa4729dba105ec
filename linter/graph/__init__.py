"""The resource graph: resources by address, and the edges between them."""
