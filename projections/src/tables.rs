//! How a projection names itself and its tables: `<projection>_<table>_v<version>`, so that a new
//! version folds the log again into fresh tables beside the old ones.

/// The name of one of a projection's tables at a version.
pub fn table_name(projection: &str, table: &str, version: u32) -> String {
    format!("{projection}_{table}_v{version}")
}

/// Declares a projection's `NAME`, its `VERSION`, and a constant for each of its tables named by
/// the rule of [`table_name`]. Bump the version whenever a table changes.
#[macro_export]
macro_rules! projection_names {
    ($name:literal, version $version:literal, tables { $($table:ident = $text:literal),+ $(,)? }) => {
        pub const NAME: &str = $name;
        pub const VERSION: u32 = $version;
        $(pub(crate) const $table: &str = concat!($name, "_", $text, "_v", $version);)+
    };
}

#[cfg(test)]
mod tests {
    mod board {
        crate::projection_names!("board", version 7, tables { CHATS = "chats", MESSAGES = "messages" });
    }

    #[test]
    fn the_constants_follow_the_rule_of_table_name() {
        assert_eq!(board::NAME, "board");
        assert_eq!(board::VERSION, 7);
        assert_eq!(board::CHATS, super::table_name(board::NAME, "chats", board::VERSION));
        assert_eq!(board::MESSAGES, "board_messages_v7");
    }
}
