"""tip_pipeline: adversity indicators for a trauma-informed children's strategy."""
