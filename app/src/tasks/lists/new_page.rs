//! The page that makes a list (`/lists/new`): named, then shown with its (no) tasks. A real
//! form that works without JavaScript (see [`super::api`] for where it goes next).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_navigate};

use super::api::{list_tasks, CreateList};
use crate::{
    auth::views::RequireUser,
    components::{Field, FormMessage},
    forms::{AfterFailedForm, FormState},
};

/// Making a list: named, then shown with its (no) tasks.
#[component]
pub fn NewListPage() -> impl IntoView {
    view! {
        <Title text="New list" />
        <RequireUser>
            <div class="account">
                <AfterFailedForm>
                    <NewListForm />
                </AfterFailedForm>
            </div>
        </RequireUser>
    }
}

#[component]
fn NewListForm() -> impl IntoView {
    let action = ServerAction::<CreateList>::new();
    let form = FormState::of(action);
    let pending = form.pending;
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(list)) = action.value().get() {
            navigate(&list_tasks(list.id), Default::default());
        }
    });
    view! {
        <section class="card" aria-labelledby="new-list-title">
            <h1 id="new-list-title">"New list"</h1>
            <ActionForm action=action attr:novalidate=true attr:aria-labelledby="new-list-title">
                <FormMessage message=form.message() />
                <Field
                    label="Name"
                    name="name"
                    required=true
                    hint="Such as Groceries or Release: up to 100 characters. You can share it once it is made."
                    initial=form.kept("name")
                    server_error=form.field("name")
                />
                <button type="submit" class="button" disabled=move || pending.get()>
                    {move || if pending.get() { "Making…" } else { "Make list" }}
                </button>
            </ActionForm>
            <p><A href="/tasks">"Back to your tasks"</A></p>
        </section>
    }
}
