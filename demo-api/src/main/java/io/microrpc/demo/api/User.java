package io.microrpc.demo.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A user of the demo directory: a plain mutable bean with a dozen fields of mixed types (numbers,
 * strings, a flag, an enum, a list and a map), so a codec is measured on a realistic object rather
 * than on a string.
 *
 * <p>Not thread-safe: an instance belongs to one call. Collections are held as given (no copies), so
 * building one stays cheap.
 */
public class User {

    private long id;
    private String name;
    private String email;
    private int age;
    private boolean active;
    private double balance;
    private long createdAtMillis;
    private String city;
    private String country;
    private Gender gender;
    private List<String> tags;
    private Map<String, String> attributes;

    public User() {}

    /** A copy of {@code other}, with copies of its tag list and attribute map. */
    public User(User other) {
        this.id = other.id;
        this.name = other.name;
        this.email = other.email;
        this.age = other.age;
        this.active = other.active;
        this.balance = other.balance;
        this.createdAtMillis = other.createdAtMillis;
        this.city = other.city;
        this.country = other.country;
        this.gender = other.gender;
        this.tags = other.tags == null ? null : new ArrayList<>(other.tags);
        this.attributes = other.attributes == null ? null : new HashMap<>(other.attributes);
    }

    public long getId() {
        return id;
    }

    public void setId(long id) {
        this.id = id;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getEmail() {
        return email;
    }

    public void setEmail(String email) {
        this.email = email;
    }

    public int getAge() {
        return age;
    }

    public void setAge(int age) {
        this.age = age;
    }

    public boolean isActive() {
        return active;
    }

    public void setActive(boolean active) {
        this.active = active;
    }

    public double getBalance() {
        return balance;
    }

    public void setBalance(double balance) {
        this.balance = balance;
    }

    public long getCreatedAtMillis() {
        return createdAtMillis;
    }

    public void setCreatedAtMillis(long createdAtMillis) {
        this.createdAtMillis = createdAtMillis;
    }

    public String getCity() {
        return city;
    }

    public void setCity(String city) {
        this.city = city;
    }

    public String getCountry() {
        return country;
    }

    public void setCountry(String country) {
        this.country = country;
    }

    public Gender getGender() {
        return gender;
    }

    public void setGender(Gender gender) {
        this.gender = gender;
    }

    public List<String> getTags() {
        return tags;
    }

    public void setTags(List<String> tags) {
        this.tags = tags;
    }

    public Map<String, String> getAttributes() {
        return attributes;
    }

    public void setAttributes(Map<String, String> attributes) {
        this.attributes = attributes;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof User)) {
            return false;
        }
        User u = (User) o;
        return id == u.id
                && age == u.age
                && active == u.active
                && Double.compare(balance, u.balance) == 0
                && createdAtMillis == u.createdAtMillis
                && Objects.equals(name, u.name)
                && Objects.equals(email, u.email)
                && Objects.equals(city, u.city)
                && Objects.equals(country, u.country)
                && gender == u.gender
                && Objects.equals(tags, u.tags)
                && Objects.equals(attributes, u.attributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                id, name, email, age, active, balance, createdAtMillis, city, country, gender, tags, attributes);
    }

    @Override
    public String toString() {
        return "User{id=" + id + ", name=" + name + ", email=" + email + ", age=" + age + ", active=" + active
                + ", balance=" + balance + ", createdAtMillis=" + createdAtMillis + ", city=" + city + ", country="
                + country + ", gender=" + gender + ", tags=" + tags + ", attributes=" + attributes + '}';
    }
}
