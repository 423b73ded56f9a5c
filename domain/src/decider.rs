//! The Decider: `decide(state, command) -> events` and `evolve(state, event) -> state`.

use std::fmt::Debug;

/// An aggregate's rules as two pure functions.
pub trait Decider {
    type State: Default;
    type Command;
    type Event: Clone;
    type Rejection;

    fn decide(state: &Self::State, command: &Self::Command) -> Result<Vec<Self::Event>, Self::Rejection>;
    fn evolve(state: Self::State, event: &Self::Event) -> Self::State;

    /// The state that a history of events leaves.
    fn fold<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Self::State
    where
        Self::Event: 'a,
    {
        events.into_iter().fold(Self::State::default(), Self::evolve)
    }
}

/// `given(events).when(command).then(expected)`: the shape of every aggregate test.
pub fn given<D: Decider>(history: Vec<D::Event>) -> Given<D> {
    Given { history }
}

pub struct Given<D: Decider> {
    history: Vec<D::Event>,
}

impl<D: Decider> Given<D> {
    pub fn when(self, command: D::Command) -> When<D> {
        let state = D::fold(self.history.iter());
        When { outcome: D::decide(&state, &command) }
    }
}

pub struct When<D: Decider> {
    outcome: Result<Vec<D::Event>, D::Rejection>,
}

impl<D: Decider> When<D>
where
    D::Event: PartialEq + Debug,
    D::Rejection: PartialEq + Debug,
{
    #[track_caller]
    pub fn then(self, expected: Vec<D::Event>) {
        assert_eq!(self.outcome, Ok(expected));
    }

    #[track_caller]
    pub fn then_rejects(self, expected: D::Rejection) {
        assert_eq!(self.outcome, Err(expected));
    }
}
