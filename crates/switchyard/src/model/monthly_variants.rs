//! What the SLA simulation needs of each moment: P(all of an offering's
//! attempts fail | it is up), per route and distinct offering of the route.
//!
//! Without rate limits that is one table for the whole period. With limits it
//! depends on the hour (its traffic) and on which slow components are down:
//! while the primary is down its traffic lands on the fallback, whose limit
//! may then reject it (`MODEL.md` §12). Each (slow components down, class of
//! hours) pair gets its table from the capacity model's fixed point with those
//! components down and the others up; fast-mixing components stay at their
//! availability, so the capacity model mixes over their states. Tables are
//! worked out the first time a state is met, once for every chunk of periods.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::model::attempt::class_profiles;
use crate::model::capacity;
use crate::model::outage_states::{self, Part};
use crate::model::types::Portfolio;

/// Per class of requests (by answer length, [`class_profiles`]): its
/// weight, and `[route][distinct offering of the route]`: P(all its
/// attempts fail | up).
pub(super) type FailTable = Vec<(f64, Vec<Vec<f64>>)>;

/// The fail tables of a portfolio, by hour class and outage state.
pub(super) struct Variants {
    /// Per route, per distinct offering of the route: the steps that use it.
    steps: Vec<Vec<Vec<usize>>>,
    overflow: Option<Overflow>,
}

/// What a limited plan's tables are worked out from.
struct Overflow {
    portfolio: Portfolio,
    /// Requests a minute in each class of hours (hours of equal traffic).
    rates: Vec<f64>,
    hour_class: [usize; 24],
    /// Each slow component and the part it stands for.
    slow: Vec<(usize, Part)>,
    /// Tables already worked out, by the slow components down (bit `i` for
    /// `slow[i]`): one per class.
    done: Mutex<HashMap<u64, Arc<Vec<FailTable>>>>,
}

/// The tables a chunk of periods has met, by index, and where each state's
/// first table is.
#[derive(Default)]
pub(super) struct Seen {
    pub tables: Vec<FailTable>,
    first: HashMap<u64, usize>,
}

impl Variants {
    /// `steps`: per route, per distinct offering, the steps that use it;
    /// `slow`: every slow component with its part.
    pub fn new(
        portfolio: &Portfolio,
        steps: Vec<Vec<Vec<usize>>>,
        slow: Vec<(usize, Part)>,
    ) -> Self {
        let binds = capacity::is_limited(portfolio)
            && capacity::can_bind(portfolio, capacity::busiest_rate(&portfolio.workload));
        let upstream = outage_states::upstream_of_limits(portfolio);
        // Only the slow components upstream of a limit move a limit's load;
        // a state is the set of them down, one bit each (the first 64; any
        // further ones stay at their time-averaged availability).
        let slow: Vec<(usize, Part)> = slow
            .into_iter()
            .filter(|(_, part)| upstream.contains(part))
            .take(64)
            .collect();
        let overflow = binds.then(|| {
            let shares = portfolio.workload.traffic.hourly_share;
            let mut distinct: Vec<f64> = Vec::new();
            let mut hour_class = [0usize; 24];
            for (h, share) in shares.iter().enumerate() {
                hour_class[h] = distinct.iter().position(|s| s == share).unwrap_or_else(|| {
                    distinct.push(*share);
                    distinct.len() - 1
                });
            }
            let rates = distinct
                .iter()
                .map(|&share| {
                    let h = shares.iter().position(|&s| s == share).unwrap_or(0);
                    capacity::requests_per_minute(&portfolio.workload, h)
                })
                .collect();
            Overflow {
                portfolio: portfolio.clone(),
                rates,
                hour_class,
                slow,
                done: Mutex::new(HashMap::new()),
            }
        });
        Self { steps, overflow }
    }

    /// How many classes of hours the tables distinguish: 1 without limits.
    pub fn classes(&self) -> usize {
        self.overflow.as_ref().map_or(1, |o| o.rates.len())
    }

    /// The class of each UTC hour.
    pub fn hour_class(&self) -> [usize; 24] {
        self.overflow.as_ref().map_or([0; 24], |o| o.hour_class)
    }

    /// A chunk's start: without limits the one table, at index 0.
    pub fn seen(&self, portfolio: &Portfolio) -> Seen {
        let mut seen = Seen::default();
        if self.overflow.is_none() {
            seen.tables.push(fail_table(portfolio, &self.steps));
        }
        seen
    }

    /// The index of the first class's table in the state where the slow
    /// components marked in `down` are down (the others follow, one per
    /// class); 0 without limits.
    pub fn first(&self, down: &[bool], seen: &mut Seen) -> usize {
        let Some(overflow) = &self.overflow else {
            return 0;
        };
        let key = overflow
            .slow
            .iter()
            .enumerate()
            .filter(|(_, (c, _))| down[*c])
            .fold(0u64, |key, (i, _)| key | 1 << i);
        if let Some(&first) = seen.first.get(&key) {
            return first;
        }
        let tables = self.tables(overflow, key, down);
        let first = seen.tables.len();
        seen.tables.extend(tables.iter().cloned());
        seen.first.insert(key, first);
        first
    }

    /// The tables of one state, from the shared cache or worked out.
    fn tables(&self, overflow: &Overflow, key: u64, down: &[bool]) -> Arc<Vec<FailTable>> {
        let cached = overflow
            .done
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
        if let Some(tables) = cached {
            return tables;
        }
        let known: Vec<(Part, bool)> = overflow
            .slow
            .iter()
            .map(|&(c, part)| (part, !down[c]))
            .collect();
        let state = outage_states::given(&overflow.portfolio, &known);
        let tables: Arc<Vec<FailTable>> = Arc::new(
            overflow
                .rates
                .iter()
                .map(|&rate| {
                    let solution = capacity::solve(&state, rate);
                    let rejecting =
                        capacity::with_rejections(&overflow.portfolio, &solution.rejected);
                    fail_table(&rejecting, &self.steps)
                })
                .collect(),
        );
        overflow
            .done
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_insert(tables)
            .clone()
    }
}

/// P(all of an offering's attempts fail | it is up), per class of requests,
/// route and distinct offering: the product over the steps that use it.
fn fail_table(portfolio: &Portfolio, steps: &[Vec<Vec<usize>>]) -> FailTable {
    class_profiles(portfolio)
        .into_iter()
        .map(|class| {
            let table = steps
                .iter()
                .enumerate()
                .map(|(r, offerings)| {
                    offerings
                        .iter()
                        .map(|js| {
                            js.iter()
                                .map(|&j| {
                                    let attempts = portfolio.routes[r].steps[j].attempts as i32;
                                    (1.0f64 - class.routes[r][j].success_if_up).powi(attempts)
                                })
                                .product()
                        })
                        .collect()
                })
                .collect();
            (class.weight, table)
        })
        .collect()
}
