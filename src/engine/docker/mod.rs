//! A real Docker daemon through bollard. The only module that imports bollard.
