"""The pure domain core: values and rules, standard library only, no I/O."""
