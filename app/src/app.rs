//! The HTML shell, the router and the pages that belong to no feature.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, Meta, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes, A},
    lazy_route, path, Lazy, LazyRoute, SsrMode,
};

use crate::{
    account::sections::DeleteAccountPage,
    account::views::AccountPage,
    auth::views::{provide_auth, LoginPage, SignupPage, UserMenu},
    tasks::{
        lists::{new_page::NewListPage, views::ListPage},
        views::TasksPage,
    },
};

/// The document around every page; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                // Both name the bundle's files with their hashes when the build made them so.
                <HashedStylesheet options=options.clone() id="leptos" />
                <crate::scripts::HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Meta name="description" content="A fast, private, multi-user task manager." />
        <Title formatter=|page: String| {
            if page.is_empty() { "Todo".to_string() } else { format!("{page} · Todo") }
        } />
        <Router>
            <Pages />
        </Router>
    }
}

/// Everything inside the router: the account context needs the URL (for errors carried back
/// from a plain form post), so it is created here.
#[component]
fn Pages() -> impl IntoView {
    provide_auth();
    crate::forms::provide_failed_forms();
    view! {
        <SiteHeader />
        <main id="main" class="page" tabindex="-1">
            <Routes fallback=NotFound>
                // Async: the server waits for every resource, so each page arrives complete
                // (usable without JavaScript) and can still answer with a redirect.
                // The task page is in the bundle every page loads; every other page's own
                // code is a chunk of its own, fetched when it is shown (see `lazy_page!`).
                <Route path=path!("/tasks") view=TasksPage ssr=SsrMode::Async />
                <Route path=path!("/") view={Lazy::<Home>::new()} ssr=SsrMode::Async />
                <Route path=path!("/signup") view={Lazy::<Signup>::new()} ssr=SsrMode::Async />
                <Route path=path!("/login") view={Lazy::<Login>::new()} ssr=SsrMode::Async />
                <Route path=path!("/account") view={Lazy::<Account>::new()} ssr=SsrMode::Async />
                <Route
                    path=path!("/account/delete")
                    view={Lazy::<DeleteAccount>::new()}
                    ssr=SsrMode::Async
                />
                <Route path=path!("/lists/new") view={Lazy::<NewList>::new()} ssr=SsrMode::Async />
                <Route path=path!("/lists/:id") view={Lazy::<List>::new()} ssr=SsrMode::Async />
            </Routes>
        </main>
    }
}

/// A route whose page is a chunk of the browser bundle of its own (`cargo leptos build
/// --split`): the browser fetches it when the page is first shown (or hydrated), so the task
/// page, which most visits open, does not carry the account page, the sign-up and log-in
/// forms or the list pages. Without `--split` it is an ordinary route.
macro_rules! lazy_page {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    )*};
}

lazy_page! {
    Home => HomePage,
    Signup => SignupPage,
    Login => LoginPage,
    Account => AccountPage,
    DeleteAccount => DeleteAccountPage,
    NewList => NewListPage,
    List => ListPage,
}

#[component]
fn SiteHeader() -> impl IntoView {
    view! {
        // rel="external": the browser's own jump, which moves focus to `<main>`, not the router's.
        <a class="skip-link" href="#main" rel="external">"Skip to content"</a>
        <header class="site-header">
            <A href="/" attr:class="brand">"Todo"</A>
            <nav aria-label="Main">
                <ul>
                    <li><A href="/">"Home"</A></li>
                    <UserMenu />
                </ul>
            </nav>
        </header>
    }
}

#[component]
fn HomePage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let deleted = move || query.with(|q| q.get("deleted").as_deref() == Some("1"));

    view! {
        <Title text="" />
        <Show when=deleted>
            <p class="notice" role="status">
                "Your account and everything in it were deleted. Thank you for using Todo."
            </p>
        </Show>
        <section class="hero">
            <h1>"Your tasks, your server."</h1>
            <p>
                "Todo is a self-hosted task manager: sign up, keep your own list, and drive it "
                "from scripts through a documented JSON API. Every page works with or without "
                "JavaScript."
            </p>
        </section>
        <section class="card" aria-labelledby="start-title">
            <h2 id="start-title">"Get started"</h2>
            <ul class="start-links">
                <li><A href="/signup">"Create an account"</A></li>
                <li><A href="/login">"Log in to your tasks"</A></li>
                <li>
                    <a href="/docs">"The JSON API"</a>
                    " for scripts and other apps (also as "<a href="/redoc">"ReDoc"</a>")"
                </li>
            </ul>
        </section>
    }
}

/// Every path the router does not know; answers with status 404 on the server.
#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Page not found" />
        <section class="card not-found">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. It may have moved, or never existed."</p>
            <p><A href="/">"Back to the home page"</A></p>
        </section>
    }
}
