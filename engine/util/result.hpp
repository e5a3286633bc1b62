// A value or one sentence saying what is wrong (std::expected is C++23; this is what we need of it).
// Library code returns these; only the app turns an error into a message and an exit status.
#pragma once
#include <string>
#include <utility>
#include <variant>

namespace ics {

struct error {
    std::string message;
};

template <typename T>
class result {
public:
    result(T value) : v_(std::move(value)) {}
    result(error e) : v_(std::move(e)) {}
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const std::string& error_message() const { return std::get<1>(v_).message; }

private:
    std::variant<T, error> v_;
};

struct ok_t {};
using status = result<ok_t>;
inline status ok() {
    return ok_t{};
}

}  // namespace ics
