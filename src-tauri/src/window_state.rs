//! The main window's size, position and maximised state, kept in the
//! preference store (`prefs.json`, beside the UI's theme and recent files) and
//! restored at start.
//!
//! Geometry is saved in physical pixels, as the window reports it, and checked
//! before it is applied: a saved size is clamped to what the screens can show,
//! and a saved position is used only when the window's top strip (where the
//! title bar is) would land on a monitor that exists now. A laptop undocked
//! from its second screen then opens the window where it can be seen, not off
//! to the side.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, PhysicalPosition, PhysicalSize, Runtime, Window, WindowEvent};
use tauri_plugin_store::{Store, StoreExt};

/// The preference store's file in the app-data dir; the UI loads the same one.
pub const STORE_FILE: &str = "prefs.json";
/// The key of the window's geometry in the store.
pub const WINDOW_KEY: &str = "window";
/// The store is written this long after the last change (a resize by mouse is a
/// burst of events; one write at the end is enough).
const AUTO_SAVE: Duration = Duration::from_millis(200);
/// How much of the window's top must be on a monitor for its position to count
/// as visible: enough to grab the title bar.
const GRAB_STRIP_PX: i64 = 40;

/// The main window's geometry in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowGeometry {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    /// Maximised when closed; `width` and `height` are then the size to
    /// return to when un-maximised.
    #[serde(default)]
    pub maximized: bool,
}

/// A monitor's area in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

/// What to apply at start: a size, a position when it is visible, and whether
/// to maximise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restore {
    pub size: (u32, u32),
    pub position: Option<(i32, i32)>,
    pub maximized: bool,
}

impl WindowGeometry {
    /// The geometry made safe for the screens there are now: at least
    /// `min_size`, at most the largest screen, positioned only where its top
    /// strip is on a screen. `None` when there is no screen to check against.
    pub fn restore(&self, min_size: (u32, u32), screens: &[Screen]) -> Option<Restore> {
        let max_w = screens.iter().map(|s| s.width).max()?;
        let max_h = screens.iter().map(|s| s.height).max()?;
        let width = self.width.clamp(min_size.0.min(max_w), max_w);
        let height = self.height.clamp(min_size.1.min(max_h), max_h);
        let visible = screens
            .iter()
            .any(|s| top_strip_on(s, self.x, self.y, width));
        Some(Restore {
            size: (width, height),
            position: visible.then_some((self.x, self.y)),
            maximized: self.maximized,
        })
    }
}

/// Whether the strip along the top of a window at (`x`, `y`), `width` wide,
/// overlaps `screen` by at least [`GRAB_STRIP_PX`] both ways.
fn top_strip_on(screen: &Screen, x: i32, y: i32, width: u32) -> bool {
    let (sx, sy) = (i64::from(screen.x), i64::from(screen.y));
    let (sw, sh) = (i64::from(screen.width), i64::from(screen.height));
    let (x, y, w) = (i64::from(x), i64::from(y), i64::from(width));
    let overlap_x = (x + w).min(sx + sw) - x.max(sx);
    let on_y = y >= sy && y + GRAB_STRIP_PX <= sy + sh;
    overlap_x >= GRAB_STRIP_PX && on_y
}

/// Opens the preference store with the UI's auto-save, so the UI's `load`
/// gets this same instance and its writes are saved too.
pub fn open_store<R: Runtime>(
    app: &AppHandle<R>,
) -> Result<Arc<Store<R>>, tauri_plugin_store::Error> {
    app.store_builder(STORE_FILE).auto_save(AUTO_SAVE).build()
}

/// Applies the saved geometry to the main window, if there is one worth
/// applying. A geometry that cannot be read is ignored: the window opens at
/// its configured size, as on a first run.
pub fn restore<R: Runtime>(app: &AppHandle<R>, store: &Store<R>) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let Some(saved) = store
        .get(WINDOW_KEY)
        .and_then(|v| serde_json::from_value::<WindowGeometry>(v).ok())
    else {
        return;
    };
    let screens: Vec<Screen> = window
        .available_monitors()
        .unwrap_or_default()
        .iter()
        .map(|m| Screen {
            x: m.position().x,
            y: m.position().y,
            width: m.size().width,
            height: m.size().height,
        })
        .collect();
    let scale = window.scale_factor().unwrap_or(1.0);
    let min_size = (scaled(MIN_LOGICAL.0, scale), scaled(MIN_LOGICAL.1, scale));
    let Some(restore) = saved.restore(min_size, &screens) else {
        return;
    };
    let _ = window.set_size(PhysicalSize::new(restore.size.0, restore.size.1));
    if let Some((x, y)) = restore.position {
        let _ = window.set_position(PhysicalPosition::new(x, y));
    }
    if restore.maximized {
        let _ = window.maximize();
    }
}

/// The window's minimum size in logical pixels, as in `tauri.conf.json`.
const MIN_LOGICAL: (u32, u32) = (900, 600);

fn scaled(logical: u32, scale: f64) -> u32 {
    // A window is at most a few thousand pixels wide: no overflow or sign loss.
    (f64::from(logical) * scale).round() as u32
}

/// Records the main window's geometry after it moved or was resized. While
/// maximised (or minimised) only the flag changes, so un-maximising next time
/// returns to the size the user chose.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if window.label() != "main" || !matches!(event, WindowEvent::Resized(_) | WindowEvent::Moved(_))
    {
        return;
    }
    let Some(store) = window.app_handle().get_store(STORE_FILE) else {
        return;
    };
    let maximized = window.is_maximized().unwrap_or(false);
    let minimized = window.is_minimized().unwrap_or(false);
    let previous = store
        .get(WINDOW_KEY)
        .and_then(|v| serde_json::from_value::<WindowGeometry>(v).ok());
    let geometry = match (maximized || minimized, previous) {
        (true, Some(previous)) => WindowGeometry {
            maximized,
            ..previous
        },
        (true, None) if minimized => return,
        _ => {
            let (Ok(position), Ok(size)) = (window.outer_position(), window.inner_size()) else {
                return;
            };
            WindowGeometry {
                x: position.x,
                y: position.y,
                width: size.width,
                height: size.height,
                maximized,
            }
        }
    };
    if previous != Some(geometry)
        && let Ok(value) = serde_json::to_value(geometry)
    {
        store.set(WINDOW_KEY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAPTOP: Screen = Screen {
        x: 0,
        y: 0,
        width: 1920,
        height: 1080,
    };
    const RIGHT: Screen = Screen {
        x: 1920,
        y: 0,
        width: 2560,
        height: 1440,
    };
    const MIN: (u32, u32) = (900, 600);

    fn at(x: i32, y: i32, width: u32, height: u32) -> WindowGeometry {
        WindowGeometry {
            x,
            y,
            width,
            height,
            maximized: false,
        }
    }

    #[test]
    fn a_visible_geometry_comes_back_as_saved() {
        let r = at(100, 80, 1200, 800)
            .restore(MIN, &[LAPTOP])
            .expect("a screen");
        assert_eq!(r.size, (1200, 800));
        assert_eq!(r.position, Some((100, 80)));
        assert!(!r.maximized);
    }

    #[test]
    fn a_window_on_a_screen_that_is_gone_keeps_its_size_but_not_its_place() {
        let saved = at(2100, 100, 1400, 900);
        let docked = saved.restore(MIN, &[LAPTOP, RIGHT]).expect("screens");
        assert_eq!(docked.position, Some((2100, 100)));
        let undocked = saved.restore(MIN, &[LAPTOP]).expect("a screen");
        assert_eq!(undocked.position, None);
        assert_eq!(undocked.size, (1400, 900));
    }

    #[test]
    fn a_title_bar_above_the_screen_or_a_sliver_on_its_edge_is_not_visible() {
        assert_eq!(
            at(100, -30, 1200, 800)
                .restore(MIN, &[LAPTOP])
                .expect("s")
                .position,
            None
        );
        // Only 20 px of the window's width are on the screen.
        assert_eq!(
            at(-1180, 10, 1200, 800)
                .restore(MIN, &[LAPTOP])
                .expect("s")
                .position,
            None
        );
        assert_eq!(
            at(-1100, 10, 1200, 800)
                .restore(MIN, &[LAPTOP])
                .expect("s")
                .position,
            Some((-1100, 10))
        );
        assert_eq!(
            at(100, 1060, 1200, 800)
                .restore(MIN, &[LAPTOP])
                .expect("s")
                .position,
            None
        );
    }

    #[test]
    fn sizes_are_clamped_between_the_minimum_and_the_largest_screen() {
        assert_eq!(
            at(0, 0, 10, 10).restore(MIN, &[LAPTOP]).expect("s").size,
            (900, 600)
        );
        assert_eq!(
            at(0, 0, 9000, 5000)
                .restore(MIN, &[LAPTOP])
                .expect("s")
                .size,
            (1920, 1080)
        );
        let tiny = Screen {
            x: 0,
            y: 0,
            width: 800,
            height: 500,
        };
        assert_eq!(
            at(0, 0, 1200, 900).restore(MIN, &[tiny]).expect("s").size,
            (800, 500)
        );
    }

    #[test]
    fn nothing_is_restored_without_a_screen_to_check() {
        assert_eq!(at(0, 0, 1200, 800).restore(MIN, &[]), None);
    }

    #[test]
    fn the_stored_form_reads_back_and_tolerates_a_missing_flag() {
        let g = WindowGeometry {
            maximized: true,
            ..at(5, 6, 1000, 700)
        };
        let json = serde_json::to_value(g).expect("serialises");
        assert_eq!(
            serde_json::from_value::<WindowGeometry>(json).expect("reads"),
            g
        );
        let old: WindowGeometry =
            serde_json::from_str(r#"{"x":1,"y":2,"width":1000,"height":700}"#).expect("reads");
        assert!(!old.maximized);
        assert!(serde_json::from_str::<WindowGeometry>(r#"{"x":"a"}"#).is_err());
    }
}
