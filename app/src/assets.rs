//! Where browsers find the app's files, and which bundle hydrates which page.

/// The one stylesheet every page loads.
pub const STYLESHEET: &str = "/pkg/ikono-chat.css";

/// The WASM bundles, one per app shell, so that an agent's browser never downloads the console's
/// pages and a supervisor's never the workspace's, and neither app grows past what a first visit
/// should download: each is `/pkg/<name>.js` and `/pkg/<name>_bg.wasm`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// Supervisors', auditors' and visitors' pages: the start page, sign-in, the console, contacts.
    Console,
    /// The agents' workspace and its sign-in.
    Workspace,
    /// The supervisors' settings: people, queues, pause reasons, the blacklist, quick replies.
    Settings,
    /// The supervisors' lines: where chats go, menus, channels, API keys.
    Lines,
    /// What auditors read: histories as the log holds them (and, to come, reports).
    Audit,
}

/// The settings app's pages.
pub const SETTINGS_PAGES: [&str; 5] = [
    "/supervisor/agents",
    "/supervisor/queues",
    "/supervisor/pause-reasons",
    "/supervisor/blacklist",
    "/supervisor/quick-replies",
];

/// The lines app's page: the heaviest of the settings (the menu editor, the channels' forms), in
/// its own bundle so that neither passes what a first visit should download.
pub const LINES_PAGE: &str = "/supervisor/lines";

impl Bundle {
    pub const fn name(self) -> &'static str {
        match self {
            Bundle::Console => "console",
            Bundle::Workspace => "workspace",
            Bundle::Settings => "settings",
            Bundle::Lines => "lines",
            Bundle::Audit => "audit",
        }
    }

    /// The bundle whose app routes `path`: the server serves each app's routes with its own
    /// bundle, and a page that links across opens the other app with a full load.
    pub fn owning(path: &str) -> Bundle {
        let path = path.trim_end_matches('/');
        if path == "/agent" || path.starts_with("/agent/") || path == "/login/agent" {
            Bundle::Workspace
        } else if SETTINGS_PAGES.contains(&path) {
            Bundle::Settings
        } else if path == LINES_PAGE {
            Bundle::Lines
        } else if path == "/audit" || path.starts_with("/audit/") {
            Bundle::Audit
        } else {
            Bundle::Console
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Bundle;

    #[test]
    fn the_workspace_owns_the_agents_pages_and_nothing_else() {
        for path in ["/agent", "/agent/", "/agent/chats/1", "/login/agent"] {
            assert_eq!(Bundle::owning(path), Bundle::Workspace, "{path}");
        }
        for path in ["/", "/agents", "/agentx", "/login/supervisor", "/supervisor/monitor", "/contacts"] {
            assert_eq!(Bundle::owning(path), Bundle::Console, "{path}");
        }
        for path in ["/supervisor/agents", "/supervisor/queues/", "/supervisor/quick-replies"] {
            assert_eq!(Bundle::owning(path), Bundle::Settings, "{path}");
        }
        for path in ["/supervisor/lines", "/supervisor/lines/"] {
            assert_eq!(Bundle::owning(path), Bundle::Lines, "{path}");
        }
        for path in ["/audit/chats/1", "/audit"] {
            assert_eq!(Bundle::owning(path), Bundle::Audit, "{path}");
        }
        assert_eq!(Bundle::owning("/auditors"), Bundle::Console);
    }
}
