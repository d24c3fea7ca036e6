-- A pull-request build's own substitutions (_HEAD_BRANCH, _BASE_BRANCH, _HEAD_REPO_URL, _PR_NUMBER),
-- kept so that a retry builds with the same values; null for every other build.
alter table builds add column trigger_facts text;

-- Who counts as a collaborator for a comment-controlled pull-request trigger (a JSON list of user
-- names); null: the forge's word (GitHub's author_association).
alter table triggers add column collaborators text;
