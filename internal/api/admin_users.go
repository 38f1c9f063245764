package api

import (
	"net/http"
	"strconv"
	"time"

	"broadsheet/internal/account"
	"broadsheet/internal/newsroom"
)

// The newsroom's accounts, for admins, as on the users page: listed,
// created with a password the admin passes on, given another role,
// disabled and enabled again. Password hashes, sessions and tokens never
// leave the server.

// userJSON is an account. Nothing secret is in it.
type userJSON struct {
	ID        int64        `json:"id"`
	Email     string       `json:"email"`
	Name      string       `json:"name"`
	Role      account.Role `json:"role"`
	AuthorID  int64        `json:"author_id" doc:"the byline profile; 0 for none"`
	Disabled  bool         `json:"disabled" doc:"a disabled account cannot sign in, and its API tokens are refused"`
	CreatedAt time.Time    `json:"created_at"`
}

func userView(u *account.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, AuthorID: u.AuthorID, Disabled: u.Disabled, CreatedAt: u.CreatedAt.UTC()}
}

type userList struct {
	Users []userJSON `json:"users"`
}

// userCreate is the body of POST /api/v1/admin/users.
type userCreate struct {
	Email    string       `json:"email"`
	Name     string       `json:"name" doc:"at most 100 characters"`
	Role     account.Role `json:"role"`
	Password string       `json:"password" doc:"at least 8 characters, not a common one nor the email or name; the admin passes it on"`
	AuthorID int64        `json:"author_id"`
}

// userPatch is the body of PATCH /api/v1/admin/users/{id}: a field left
// out keeps its value.
type userPatch struct {
	Role     *account.Role `json:"role"`
	Disabled *bool         `json:"disabled" doc:"true signs the user out everywhere; false enables the account again"`
	AuthorID *int64        `json:"author_id"`
}

// GET /api/v1/admin/users
func (h *handler) listUsers(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	users, err := h.store.Users(r.Context())
	if err != nil {
		return err
	}
	res := userList{Users: make([]userJSON, 0, len(users))}
	for i := range users {
		res.Users = append(res.Users, userView(&users[i]))
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// userID reads the path's {id}: anything but a positive integer names no
// account.
func userID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound("there is no user %q", r.PathValue("id"))
	}
	return id, nil
}

// GET /api/v1/admin/users/{id}
func (h *handler) getUser(w http.ResponseWriter, r *http.Request, _ *account.User) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	u, err := h.store.UserByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userView(u))
	return nil
}

// POST /api/v1/admin/users
func (h *handler) createUser(w http.ResponseWriter, r *http.Request, admin *account.User) error {
	var req userCreate
	if err := decode(w, r, &req); err != nil {
		return err
	}
	nu := &account.User{Email: req.Email, Name: req.Name, Role: req.Role, AuthorID: req.AuthorID}
	if err := newsroom.CreateUser(r.Context(), h.store, admin, nu, req.Password); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/admin/users/"+strconv.FormatInt(nu.ID, 10))
	return h.sendUser(w, r, http.StatusCreated, nu.ID)
}

func (h *handler) sendUser(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	u, err := h.store.UserByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, status, userView(u))
	return nil
}

// PATCH /api/v1/admin/users/{id}
func (h *handler) patchUser(w http.ResponseWriter, r *http.Request, admin *account.User) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	var req userPatch
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if _, err := newsroom.UpdateUser(r.Context(), h.store, admin, id, newsroom.UserChange{Role: req.Role, Disabled: req.Disabled, AuthorID: req.AuthorID}); err != nil {
		return err
	}
	return h.sendUser(w, r, http.StatusOK, id)
}
