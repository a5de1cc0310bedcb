//! WebKitGTK's compositing, turned to software for this app on Linux.
//!
//! The UI is forms, tables and SVG charts drawn once per result: nothing that
//! needs the GPU. WebKitGTK's accelerated compositing still allocates its
//! layer buffers, which on a machine without a usable GPU (and under Xvfb)
//! cost about 110 MB in the web process, half its memory (BENCHMARKS.md). It
//! is also the mode behind WebKitGTK's known blank-window bugs with some GPU
//! drivers. `SWITCHYARD_GPU_COMPOSITING=1` keeps WebKit's own choice.

use tauri::{Runtime, WebviewWindow};

/// The variable that keeps WebKit's default (accelerated when it can).
pub const KEEP_GPU_COMPOSITING: &str = "SWITCHYARD_GPU_COMPOSITING";

/// Sets the window's webview to never use accelerated compositing, unless
/// [`KEEP_GPU_COMPOSITING`] is `1`. A failure leaves WebKit's default: the
/// app works the same, with more memory.
pub fn prefer_software<R: Runtime>(window: &WebviewWindow<R>) {
    if std::env::var(KEEP_GPU_COMPOSITING).is_ok_and(|v| v == "1") {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let _ = window.with_webview(|webview| {
            use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
            if let Some(settings) = WebViewExt::settings(&webview.inner()) {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}
