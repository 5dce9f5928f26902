"""Side effects written as rows in the action's transaction and delivered after commit."""
