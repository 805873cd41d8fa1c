"""The HTTP and persistence shell around the pure ``pricing`` core."""
