"""Community-planning proposals on maps (参与式社区规划)."""
