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
    /// The supervisors' settings: people, queues, pause reasons, lines, the blacklist.
    Settings,
}

/// The settings app's pages.
pub const SETTINGS_PAGES: [&str; 6] = [
    "/supervisor/agents",
    "/supervisor/queues",
    "/supervisor/pause-reasons",
    "/supervisor/lines",
    "/supervisor/blacklist",
    "/supervisor/quick-replies",
];

impl Bundle {
    pub const fn name(self) -> &'static str {
        match self {
            Bundle::Console => "console",
            Bundle::Workspace => "workspace",
            Bundle::Settings => "settings",
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
        for path in ["/supervisor/agents", "/supervisor/queues/", "/supervisor/lines"] {
            assert_eq!(Bundle::owning(path), Bundle::Settings, "{path}");
        }
    }
}
