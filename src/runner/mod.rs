//! Headless runs of lessons, scenarios and markdown documents (`docktutor check`).
