//! Build script: the linker arguments a Node addon needs on each platform
//! (on macOS, leaving the N-API symbols to be resolved at load time).

fn main() {
    napi_build::setup();
}
