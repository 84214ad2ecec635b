//! Runs one scenario N times, for instruction counting under valgrind
//! (`bench/instr.sh` runs it at two N and divides the difference).
//!
//! `instr list` prints the scenarios (Tower first, then actix-web); `instr INDEX N` runs scenario INDEX N times
//! (after 50 warm-up requests).

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut scenarios = rampart_bench::scenarios();
    let actix = rampart_bench::actix::scenarios();
    if args.get(1).map(String::as_str) == Some("list") {
        for (i, s) in scenarios.iter().enumerate() {
            println!("{i}\t{}\t{}", s.group, s.name);
        }
        for (i, s) in actix.iter().enumerate() {
            println!("{}\t{}\t{}", scenarios.len() + i, s.group, s.name);
        }
        return;
    }
    let idx: usize = args[1].parse().expect("scenario index");
    let n: usize = args[2].parse().expect("iterations");
    // Indices past the Tower scenarios are the actix ones.
    if let Some(s) = idx.checked_sub(scenarios.len()).map(|i| &actix[i]) {
        for _ in 0..50 {
            (s.run)((s.make_req)());
        }
        for _ in 0..n {
            let req = (s.make_req)();
            (s.run)(req);
        }
        return;
    }
    let s = &mut scenarios[idx];
    for _ in 0..50 {
        drop((s.call)((s.make_req)()));
    }
    for _ in 0..n {
        let req = (s.make_req)();
        drop((s.call)(req));
    }
}
