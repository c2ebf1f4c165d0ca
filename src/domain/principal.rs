//! Who a seat is given to (R-LIC-2, R-LIC-7).

/// A target of an assignment: a user directly, or a group whose flattened
/// members each need one seat (a member reached twice still counts once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Principal {
    /// A user, by `users.id`.
    User(i64),
    /// A group, by `groups.id`; nested groups are flattened.
    Group(i64),
}
