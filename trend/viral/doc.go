// Package viral predicts, early, how far a post will spread: from the
// reshares seen in its first minutes or hours it estimates the number of
// reshares it will have after a week, with an 80% range, and flags the
// posts heading for a threshold or the top k.
//
// A [Tracker] follows one post. Feed it each reshare with
// [Tracker.Observe] (time and the resharer's follower count), or, when the
// platform only gives totals, poll them and feed [Tracker.ObserveCount];
// call [Tracker.Predict] at any time. A [Detector] keeps trackers for many
// posts in bounded memory and reports [trend.Alert] values of kind
// [trend.AlertViral]. Time is always an argument: replays are exact, and a
// prediction uses only what was observed by its time.
//
// # Method
//
// The model is SEISMIC's (Zhao, Erdogdu, He, Rajaraman and Leskovec,
// "SEISMIC: A Self-Exciting Point Process Model for Predicting Tweet
// Popularity", KDD 2015), with nothing fitted to correct it. Each reshare
// by an account with n followers triggers further reshares at rate
// p·n·φ(s), s after it, with the paper's power-law memory kernel φ (see
// [Kernel]: flat for 5 minutes, then decaying as s^-1.242). The
// infectiousness p̂ is SEISMIC's: over a recent window (half the post's
// age, clamped to [5 min, 2 h], widened to hold at least 5 reshares), the
// triangular-weighted count of reshares divided by the follower exposure
// the kernel puts in the window, capped so that a reshare triggers at most
// one reshare directly (a burst would otherwise predict a cascade without
// end). The forecast adds to the count so far:
//
//   - the reshares the ones so far (and the post) will trigger directly
//     before the 7-day horizon, p̂·Σ nᵢ·(Φ(H − tᵢ) − Φ(t − tᵢ));
//   - the reshares those trigger in turn, each [Prediction.Branching] =
//     p̂ times the resharers' mean follower count, capped at
//     [MaxBranching], with their own delays (a renewal equation over 12
//     log-spaced cells of age, so that the horizon cuts late generations);
//   - scaled down, when p̂ rests on few reshares, to the median rather than
//     the mean of the count to come: a handful of reshares says little, and
//     most small posts stop.
//
// A daily rhythm ([Model.Rhythm], none by default) multiplies the rate by
// the audience's activity at each clock time: a post seen in the quiet
// hours is more infectious than its count says, one whose quiet hours are
// ahead will slow down. [TwitterRhythm] is the one of the cascades below.
//
// The 80% range comes from the 10% and 90% quantiles of the error of the
// count still to come, as lines in log(age) (four numbers, fitted on two
// sources at once). Low is never below the count so far.
//
// # Accuracy
//
// On cascades left out of everything that was chosen or fitted (each of
// the 50 shared SEISMIC cascades with the rhythm chosen on the other 49
// and the range refitted without it; the Twitter15/16 trees, times only,
// in 10 folds; the other sources not used at all), the median absolute
// percentage error of the final count and the share of final counts
// inside the 80% range are:
//
//	observed for                         1 h            2 h            6 h
//	SEISMIC cascades (50, > 2000)        0.299  86%     0.241  84%     0.126  84%
//	Twitter15/16 trees (2,308, times)    0.209  75%     0.149  77%     0.075  81%
//	plain SEISMIC, SEISMIC cascades      0.326          0.302          0.188
//	plain SEISMIC, Twitter15/16          0.186          0.143          0.088
//
// The SEISMIC cascades were kept for having more than 2000 reshares, so
// those still small after an hour are there because they later grew:
// this model, which knows nothing of that choice, underestimates them at
// 1 h (median predicted/actual 0.73). On small posts it stays close: of
// the #auspol cascades with 2 to 4 reshares after an hour, half are
// predicted exactly and nine in ten within a factor 1.7. See
// BENCHMARKS.md for the sources, count mode, small and large posts, and
// how often successive predictions go down.
//
// # Complexity
//
// A tracker keeps its reshares in age bins: 30 s wide for the first 20
// minutes, then 2.5% wider each, so a week of reshares takes at most about
// 290 bins however many reshares there are. Each bin keeps the count, the
// sum of ages, the sum of followers and the follower-weighted sum of ages,
// and stands for a point mass at its mean age when predicting.
// [Tracker.Observe] is O(1) (a reshare arriving late, into an older bin,
// costs a binary search over the bins, and the first one in its bin an
// insert). [Tracker.Predict] is O(B), B the number of non-empty bins: it
// does not grow with the number of reshares; it costs about 80 µs of CPU
// for an hour-old post and 240 µs for a week-old one, so call it when you
// need a forecast, not per reshare. On the 50 shared cascades at ages
// from 30 minutes to a day, binned p̂ and forecasts agree with the exact
// reshare-by-reshare computation within 3.2% (TestBinnedMatchesExact).
// Memory is O(B), 40 bytes a bin.
//
// # Periodic counts
//
// [Tracker.ObserveCount] takes cumulative totals polled at any interval.
// The reshares new since the previous poll are spread evenly over the time
// between the two polls (from the post time for the first poll), each with
// the model's DefaultFollowers, straight into the bins. Older polls than
// the newest and totals below the largest are ignored. Polled every 5 or
// 15 minutes, the SEISMIC cascades are predicted about as well as from
// their reshares (see BENCHMARKS.md).
//
// # Bad input
//
// Nothing panics and no prediction holds NaN or Inf. Reshares may come in
// any order. Duplicates are counted (the tracker cannot tell them from
// reshares in the same second by same-sized accounts, which real data has):
// drop them upstream by reshare ID. A reshare before the post time counts
// at the post time; a prediction asked for before the latest reshare is
// made at the time of that reshare. Follower counts below 1 count as 1,
// above [MaxFollowers] as MaxFollowers, and negative ones as unknown. A post
// with no reshares is predicted to stay at 0. Final is never below the
// count so far, and Low <= Final <= High.
package viral
