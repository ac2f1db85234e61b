//! The repository README's testing example, taken out of the README by `build.rs`, compiled and run in this
//! project, which depends on the facade alone.

#[allow(clippy::unwrap_used)] // as the README writes it
mod testing_example {
    include!(concat!(env!("OUT_DIR"), "/readme_testing.rs"));

    #[test]
    fn the_readme_testing_example_runs_with_the_facade_alone() {
        main();
    }
}
