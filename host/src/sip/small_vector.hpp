#pragma once
// A vector that keeps its first N elements inline, so that a typical message needs no heap allocation.

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <vector>

namespace siphost::sip {

/// Elements must be trivially copyable: they are views and offsets into a message, copied with memcpy.
template <class T, std::size_t N> class small_vector {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

public:
    small_vector() = default;
    small_vector(const small_vector& other) { append(other.data(), other.size()); }
    small_vector(small_vector&& other) noexcept { take(other); }
    small_vector& operator=(const small_vector& other) {
        if (this != &other) {
            clear();
            append(other.data(), other.size());
        }
        return *this;
    }
    small_vector& operator=(small_vector&& other) noexcept {
        if (this != &other) {
            clear();
            take(other);
        }
        return *this;
    }

    std::size_t size() const { return on_heap_ ? heap_.size() : size_; }
    bool empty() const { return size() == 0; }
    T* data() { return on_heap_ ? heap_.data() : inline_data(); }
    const T* data() const { return on_heap_ ? heap_.data() : inline_data(); }
    T* begin() { return data(); }
    T* end() { return data() + size(); }
    const T* begin() const { return data(); }
    const T* end() const { return data() + size(); }
    T& operator[](std::size_t i) { return data()[i]; }
    const T& operator[](std::size_t i) const { return data()[i]; }
    T& back() { return data()[size() - 1]; }
    const T& back() const { return data()[size() - 1]; }

    void clear() {
        heap_.clear();
        on_heap_ = false;
        size_ = 0;
    }

    T& push_back(const T& value) {
        if (!on_heap_) {
            if (size_ < N) {
                T* slot = ::new (static_cast<void*>(inline_data() + size_)) T(value);
                ++size_;
                return *slot;
            }
            spill(size_ + 1);
        }
        heap_.push_back(value);
        return heap_.back();
    }

    void append(const T* values, std::size_t count) {
        if (count == 0)
            return;
        if (!on_heap_ && size_ + count <= N) {
            std::memcpy(static_cast<void*>(inline_data() + size_), values, count * sizeof(T));
            size_ += count;
            return;
        }
        if (!on_heap_)
            spill(size_ + count);
        heap_.insert(heap_.end(), values, values + count);
    }

    /// Drops the elements from index n on.
    void truncate(std::size_t n) {
        if (n >= size())
            return;
        if (on_heap_)
            heap_.resize(n);
        else
            size_ = n;
    }

private:
    T* inline_data() { return std::launder(reinterpret_cast<T*>(storage_)); }
    const T* inline_data() const { return std::launder(reinterpret_cast<const T*>(storage_)); }

    void spill(std::size_t wanted) {
        heap_.reserve(wanted > 2 * N ? wanted : 2 * N);
        heap_.assign(inline_data(), inline_data() + size_);
        on_heap_ = true;
        size_ = 0;
    }

    void take(small_vector& other) {
        if (other.on_heap_) {
            heap_ = std::move(other.heap_);
            on_heap_ = true;
        } else {
            std::memcpy(static_cast<void*>(storage_), other.storage_, other.size_ * sizeof(T));
            size_ = other.size_;
        }
        other.clear();
    }

    alignas(T) unsigned char storage_[N * sizeof(T)];
    std::size_t size_ = 0;
    bool on_heap_ = false;
    std::vector<T> heap_;
};

} // namespace siphost::sip
